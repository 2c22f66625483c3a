// The watchdog against a real agent running a slow stand-in dump: a job cut off by an agent restart is
// `interrupted`, a job running past the deadline its target's maxDurationMinutes gives it is `stuck`; each alerts
// once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../../functions/run/clock.js';
import { startTestAgent, type TestAgent, testSigningKey } from '../../helpers/agent.js';
import { type GmailStub, startGmailStub } from '../../helpers/gmail-stub.js';
import { createStandIns, freePort, type StandIns } from '../../helpers/stand-in-tools.js';
import {
  describeEachBackend,
  type StorageBackend,
  startStorageBackend,
} from '../../helpers/storage-backends.js';
import { createBucket, deliveredSince, type FunctionHarness, OAUTH, startFunction } from './harness.js';

const BUCKET = 'fn-watchdog';

describeEachBackend((backend) =>
  describe('the verify watchdog and unfinished jobs', () => {
    let emulator: StorageBackend;
    let gmail: GmailStub;
    let tools: StandIns;
    let slow: string;
    const closers: { close(): Promise<void> }[] = [];

    beforeAll(async () => {
      [emulator, gmail, tools] = await Promise.all([
        startStorageBackend(backend),
        startGmailStub({ oauth: OAUTH }),
        createStandIns(),
      ]);
      await createBucket(emulator.url, BUCKET);
      // Writes until its pipe breaks, as the dump of a large database would.
      slow = await tools.script(
        'slow-dump',
        'while :; do echo "insert into t values (42);"; sleep 0.02; done',
      );
    });
    afterAll(async () => {
      for (const closer of closers.reverse()) await closer.close();
      await Promise.all([emulator?.close(), gmail?.close()]);
      await tools?.remove();
    });

    const signing = testSigningKey();

    async function agentOn(port: number, dir?: string): Promise<TestAgent> {
      const agent = await startTestAgent({
        // A minute's limit, which the function reads from the job's deadline; the agent's own stop never comes
        // within a test, as the stuck test moves only the function's clock.
        targets: [
          { id: 'mongo', engine: 'mongodb', database: 'records', toolPath: slow, maxDurationMinutes: 1 },
        ] as never,
        signingKey: signing,
        // The stuck test runs the function's clock minutes ahead of the agent's.
        config: {
          listen: { host: '127.0.0.1', port },
          signature: { maxAgeSeconds: 300, maxClockSkewSeconds: 600 },
        },
        uploads: { origin: emulator.url, buckets: [BUCKET] },
        ...(dir && { dir }),
      });
      closers.push({ close: () => agent.remove() });
      return agent;
    }

    /** A backup left running by a spent budget, once its dump has really started. */
    async function runningBackup(prefix: string, clock?: Clock) {
      const port = await freePort();
      const agent = await agentOn(port);
      const harness: FunctionHarness = await startFunction({
        emulator,
        gmail,
        bucket: BUCKET,
        key: signing.key,
        targets: [{ id: 'mongo', database: 'records', engine: 'mongodb', agentUrl: agent.url }],
        env: { BACKUP_PREFIX: prefix },
        file: { pollBudgetSeconds: 0 },
        ...(clock && { clock }),
      });
      closers.push(harness);
      const { status, report } = await harness.backup();
      expect(status).toBe(200);
      expect(report.targets[0]).toMatchObject({ outcome: 'running' });
      const jobId = report.targets[0]?.jobId ?? '';
      for (let i = 0; ; i++) {
        const job = await agent.getJob(jobId);
        if (job.state === 'running' && job.bytesRead > 0) break;
        if (i > 200) throw new Error(`the job never got going: ${JSON.stringify(job)}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      return { agent, port, harness, jobId };
    }

    it('a job cut off by an agent restart is interrupted, with an alert', async () => {
      const { agent, port, harness, jobId } = await runningBackup('restart/');
      await agent.close();
      const restarted = await agentOn(port, agent.dir);
      expect((await restarted.getJob(jobId)).state).toBe('interrupted');

      const sent = gmail.messages.length;
      const { status, report } = await harness.verify();
      expect(status, JSON.stringify(report)).toBe(500);
      expect(report.targets[0]).toMatchObject({
        outcome: 'interrupted',
        jobId,
        error: { code: 'JOB_INTERRUPTED' },
      });
      const mails = await deliveredSince(gmail, sent);
      expect(mails).toHaveLength(1);
      expect(mails[0]?.subject).toContain('Backup check failed: records');
      expect(mails[0]?.text).toContain('- mongo (database records, mongodb): INTERRUPTED');
      expect(mails[0]?.text).toContain(`agent job: ${jobId}`);
      expect(harness.logs.find((line) => line.event === 'verify.interrupted')).toMatchObject({
        severity: 'ERROR',
        errorCode: 'JOB_INTERRUPTED',
        jobId,
      });
    });

    it('a job running past the job time-out is stuck: cancelled, its session too, with an alert; before it, running and no alert', async () => {
      let aheadMs = 0;
      const clock: Clock = {
        now: () => new Date(Date.now() + aheadMs),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      };
      const { agent, harness, jobId } = await runningBackup('stuck/', clock);
      const sent = gmail.messages.length;

      const early = await harness.verify();
      expect(early.status).toBe(200);
      expect(early.report.targets[0]).toMatchObject({ outcome: 'running', jobId });
      expect(gmail.messages.length).toBe(sent);

      aheadMs = 2 * 60_000;
      const { status, report } = await harness.verify();
      expect(status, JSON.stringify(report)).toBe(500);
      expect(report.targets[0]).toMatchObject({ outcome: 'stuck', jobId, error: { code: 'JOB_TIMEOUT' } });
      expect(report.targets[0]?.error?.message).toMatch(
        /has been running for 2 minutes \(limit 1\): cancelled/,
      );
      const mails = await deliveredSince(gmail, sent);
      expect(mails).toHaveLength(1);
      expect(mails[0]?.text).toContain('- mongo (database records, mongodb): STUCK');
      expect(harness.logs.find((line) => line.event === 'verify.stuck')).toMatchObject({
        severity: 'ERROR',
        jobId,
      });
      // The watchdog stopped the job with a signed cancel: the target is free for the next night.
      const stopped = await agent.waitForJob(jobId);
      expect(stopped).toMatchObject({ state: 'failed', errorCode: 'JOB_CANCELLED' });
      expect(
        await harness.storage
          .bucket(BUCKET)
          .file(report.targets[0]?.objectName ?? '')
          .exists(),
      ).toEqual([false]);
    });
  }),
);
