// Two agents trusting the function's one key: a request the function signed for one agent, redirected on the
// network to the other, is refused there (its publicUrl is not the signed origin, whatever the Host header
// says), and the run fails with an alert. An agent.json without publicUrl is refused at start.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeConfigFiles } from '../../../agent/config/files.js';
import { parseAgentConfig } from '../../../agent/config/parse.js';
import { type RunningEmulator, startEmulator } from '../../../emulator/index.js';
import { ensureDemoDatabase } from '../../../local/demo-database.js';
import { startTestAgent, type TestAgent, testSigningKey } from '../../helpers/agent.js';
import { type GmailStub, startGmailStub } from '../../helpers/gmail-stub.js';
import { forward, type Mitm, startMitm } from '../../helpers/mitm.js';
import { createBucket, deliveredSince, OAUTH, outcomes, startFunction } from './harness.js';

const BUCKET = 'fn-cross-agent';

describe('a request signed for one agent, replayed to another', () => {
  let emulator: RunningEmulator;
  let gmail: GmailStub;
  let mitm: Mitm;
  let agentA: TestAgent;
  let agentB: TestAgent;
  let dir: string;
  const signing = testSigningKey();

  beforeAll(async () => {
    [emulator, gmail] = await Promise.all([startEmulator({ port: 0 }), startGmailStub({ oauth: OAUTH })]);
    await createBucket(emulator.url, BUCKET);
    dir = await mkdtemp(join(tmpdir(), 'cross-agent-'));
    await Promise.all(['a.sqlite', 'b.sqlite'].map((name) => ensureDemoDatabase(join(dir, name))));
    // The function reaches agent A through the path the attacker sits on: A's publicUrl is that address.
    mitm = await startMitm(async () => {
      throw new Error('not yet');
    });
    const target = (file: string) => [
      { id: 'app', engine: 'sqlite' as const, database: 'app', path: join(dir, file) },
    ];
    const uploads = { origin: emulator.url, buckets: [BUCKET] };
    agentA = await startTestAgent({
      targets: target('a.sqlite'),
      signingKey: signing,
      uploads,
      config: { publicUrl: mitm.url },
    });
    agentB = await startTestAgent({ targets: target('b.sqlite'), signingKey: signing, uploads });
  });
  afterAll(async () => {
    await mitm?.close();
    await Promise.all([agentA?.remove(), agentB?.remove(), emulator?.close(), gmail?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const fn = (prefix: string) =>
    startFunction({
      emulator,
      gmail,
      bucket: BUCKET,
      key: signing.key,
      targets: [{ id: 'app', database: 'app', engine: 'sqlite', agentUrl: mitm.url }],
      env: { BACKUP_PREFIX: prefix },
    });

  it('refuses an agent.json without publicUrl', () => {
    const { publicUrl: _, ...withoutPublicUrl } = {
      listen: { host: '127.0.0.1', port: agentB.port },
      publicUrl: agentB.url,
      trustedKeys: signing.trusted,
      targets: [{ id: 'app', engine: 'sqlite', database: 'app', path: join(dir, 'b.sqlite') }],
    };
    expect(() => parseAgentConfig(withoutPublicUrl, nodeConfigFiles)).toThrow(/publicUrl/);
  });

  it('backs up through the path while it leads to agent A', async () => {
    mitm.intercept((request) => forward(request, agentA.url));
    const harness = await fn('honest/');
    const { report } = await harness.backup();
    await harness.close();
    expect(outcomes(report)).toEqual({ app: 'succeeded' });
  });

  it('is refused by agent B, which runs nothing, and the run fails with an alert', async () => {
    mitm.intercept((request) => forward(request, agentB.url));
    const harness = await fn('redirected/');
    const sent = gmail.messages.length;
    const { status, report } = await harness.backup();
    await harness.close();

    expect(status).toBe(500);
    expect(outcomes(report)).toEqual({ app: 'failed' });
    // B's 401 is signed with B's own key, not the key the function trusts at A's address: the function
    // believes neither that answer nor anything else that does not come from A.
    const code = report.targets[0]?.error?.code;
    expect(code).toBe('AGENT_RESPONSE_INVALID');
    expect(harness.logs).toContainEqual(expect.objectContaining({ event: 'backup.failed', errorCode: code }));
    const mails = await deliveredSince(gmail, sent);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.text).toContain(code);

    // The request reached B with the Host header A's address carries, and B started no job.
    expect(mitm.seen.at(-1)?.headers.host).toBe(new URL(mitm.url).host);
    expect(await readdir(join(agentB.stateDir, 'jobs')).catch(() => [])).toEqual([]);
    await agentB.close();
    const refused = (await agentB.logLines()).map((line) => JSON.parse(line));
    expect(refused).toContainEqual(expect.objectContaining({ errorCode: 'SIGNATURE_INVALID' }));
    expect(refused).not.toContainEqual(expect.objectContaining({ event: 'job.started' }));
  });
});
