// `status` as a health check, against a real SQLite backup on the emulator: a newest good backup three weeks old,
// a failed attempt while an older object exists, and a failed on-demand restore are each a problem (exit 1 from
// db-backup status), and each clears once a later run goes well; the record behind it is written without ever
// replacing an object.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../cli/run-cli.js';
import { type RunningEmulator, startEmulator } from '../../../emulator/index.js';
import { systemClock } from '../../../functions/run/clock.js';
import { DEMO_CHECK, ensureDemoDatabase } from '../../../local/demo-database.js';
import { createLocalSigner } from '../../../local/signer.js';
import { startTestAgent, type TestAgent } from '../../helpers/agent.js';
import { type GmailStub, startGmailStub } from '../../helpers/gmail-stub.js';
import { freePort } from '../../helpers/stand-in-tools.js';
import { createBucket, type FunctionHarness, OAUTH, startFunction } from './harness.js';

const BUCKET = 'fn-status';
const DAY = 86_400_000;
/** The function's own identity for restore URLs, which the emulator trusts: no call leaves the machine to sign. */
const signer = createLocalSigner();

describe('status', () => {
  let dir: string;
  let emulator: RunningEmulator;
  let gmail: GmailStub;
  let agent: TestAgent;
  const harnesses: FunctionHarness[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'status-'));
    [emulator, gmail] = await Promise.all([
      startEmulator({ signedUrlKeys: signer.trusted }),
      startGmailStub({ oauth: OAUTH }),
    ]);
    await createBucket(emulator.url, BUCKET);
    await ensureDemoDatabase(join(dir, 'app.sqlite'));
    agent = await startTestAgent({
      targets: [
        {
          id: 'app',
          engine: 'sqlite',
          database: 'app',
          path: join(dir, 'app.sqlite'),
          restore: {
            scratchDatabases: ['app_restore'],
            scratchDir: join(dir, 'scratch'),
            checks: [DEMO_CHECK],
          },
        },
      ],
      uploads: { origin: emulator.url, buckets: [BUCKET] },
    });
  }, 60_000);
  afterAll(async () => {
    await Promise.all(harnesses.map((harness) => harness.close()));
    await Promise.all([agent?.remove(), emulator?.close(), gmail?.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  /** The function as deployed for target `app`, on its agent (or on one that is down), at a time of its own. */
  async function fn(options: { ago?: number; agentUrl?: string } = {}) {
    const ago = options.ago ?? 0;
    const harness = await startFunction({
      emulator,
      gmail,
      bucket: BUCKET,
      key: agent.key,
      targets: [{ id: 'app', database: 'app', engine: 'sqlite', agentUrl: options.agentUrl ?? agent.url }],
      clock: { now: () => new Date(Date.now() - ago), sleep: systemClock.sleep },
      signer,
    });
    harnesses.push(harness);
    return harness;
  }

  async function cliStatus(harness: FunctionHarness) {
    const stdout = new PassThrough();
    let text = '';
    stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    const code = await runCli({
      argv: ['--functions', JSON.stringify(harness.urls), 'status'],
      env: {},
      stdout,
      stderr: new PassThrough(),
      authorize: async () => 'Bearer test',
    });
    return { code, text };
  }

  it('names each problem, exits 1 while there is one, and clears each once a later run goes well', async () => {
    const threeWeeksAgo = await fn({ ago: 21 * DAY });
    expect((await threeWeeksAgo.backup()).report.targets[0]?.outcome).toBe('succeeded');
    const today = await fn();
    const old = await today.status();
    expect(old.status).toBe(200);
    expect(old.report).toMatchObject({ kind: 'status', schedule: '0 0 * * *', timeZone: 'UTC' });
    expect(old.report.problems.map((p) => p.code)).toEqual(['BACKUP_OVERDUE']);
    expect(old.report.problems[0]?.message).toMatch(
      /the newest good backup is of \d{4}-\d{2}-\d{2}, 21 day\(s\) before today/,
    );
    expect(old.report.targets[0]?.lastAttempt).toMatchObject({ outcome: 'succeeded', by: 'backup' });
    expect(old.report.targets[0]?.newestGood?.ageHours).toBeGreaterThanOrEqual(0);

    // Today's attempt fails without leaving an object; an on-demand restore fails too.
    const agentDown = await fn({ agentUrl: `http://127.0.0.1:${await freePort()}` });
    expect((await agentDown.backup()).report.targets[0]?.outcome).toBe('failed');
    expect((await agentDown.restore({ database: 'app' })).report.targets[0]?.outcome).toBe('failed');
    const failing = await today.status();
    expect(failing.report.problems.map((p) => p.code)).toEqual([
      'BACKUP_OVERDUE',
      'LAST_BACKUP_FAILED',
      'LAST_RESTORE_FAILED',
    ]);
    expect(failing.report.problems[1]?.message).toContain('ended failed: AGENT_UNREACHABLE');
    const shown = await cliStatus(today);
    expect(shown.code).toBe(1);
    expect(shown.text).toMatch(
      /^app\s+failed [\d.]+ h ago\s+\d{4}-\d{2}-\d{2} \([\d.]+ h ago\)\s+never\s+never\s+failed/m,
    );
    expect(shown.text).toContain('Problems (3):');
    expect(shown.text).toContain('  app  LAST_RESTORE_FAILED: the last restore');

    // A good backup today and a restore that passes clear them all.
    expect((await today.backup()).report.targets[0]?.outcome).toBe('succeeded');
    expect((await today.status()).report.problems.map((p) => p.code)).toEqual(['LAST_RESTORE_FAILED']);
    expect((await today.restore({ database: 'app' })).report.targets[0]?.outcome).toBe('restored');
    const well = await cliStatus(today);
    expect(well.code, well.text).toBe(0);
    expect(well.text).toContain('No problems.');

    // The record was only ever patched: one generation, never replaced (the function may not delete).
    const [versions] = await today.storage.bucket(BUCKET).getFiles({ prefix: '_status/', versions: true });
    expect(versions.map((file) => file.name)).toEqual(['_status/app']);
    expect(Number(versions[0]?.metadata.metageneration)).toBeGreaterThan(3);
  }, 120_000);
});
