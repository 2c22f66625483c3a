// A forced run must not switch off the function's storage retries: @google-cloud/storage, opening a session
// without a precondition, zeroes the retries of the client it goes through, so one 503 afterwards would fail a
// target and mail the admin. Fault injection is our emulator's alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../../emulator/index.js';
import { testSigningKey } from '../../helpers/agent.js';
import { type GmailStub, startGmailStub } from '../../helpers/gmail-stub.js';
import { freePort } from '../../helpers/stand-in-tools.js';
import { createBucket, type FunctionHarness, OAUTH, startFunction } from './harness.js';

const BUCKET = 'fn-retries';

describe('storage retries after a forced run', () => {
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  let gmail: GmailStub;
  let harness: FunctionHarness;

  beforeAll(async () => {
    [emulator, gmail] = await Promise.all([startEmulator(), startGmailStub({ oauth: OAUTH })]);
    await createBucket(emulator.url, BUCKET);
    // Nothing listens there: the forced run opens its session, then fails at the agent and cancels it.
    const agentUrl = `http://127.0.0.1:${await freePort()}`;
    harness = await startFunction({
      emulator,
      gmail,
      bucket: BUCKET,
      key: testSigningKey().key,
      targets: [{ id: 'hospital', database: 'HospitalDB', engine: 'mysql', agentUrl }],
    });
  });
  afterAll(async () => {
    await harness?.close();
    await Promise.all([emulator?.close(), gmail?.close()]);
  });

  it('a 503 after a forced session is retried, as before it', async () => {
    // A fault that never acts (times: 0) counts the session requests.
    const sessions = emulator.faults.add({ method: 'POST', uploadType: 'resumable', times: 0 });
    const forced = await harness.backup({ force: 'true' });
    expect(forced.report.targets[0]?.error?.code).toBe('AGENT_UNREACHABLE');
    expect(sessions.matched).toBe(1);

    // The function's next storage call meets one 503: the client retries it and the caller never sees it.
    const listing = emulator.faults.add({ method: 'GET', match: `/b/${BUCKET}/o`, status: 503 });
    const listed = await harness.list();
    expect(listed.status).toBe(200);
    expect(listed.report.targets[0]?.backups).toEqual([]);
    expect(listing.matched).toBe(2);
  });
});
