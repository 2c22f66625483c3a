// The function's check after a job, on each storage backend: an object whose size or crc32c differs from the agent's counts fails the
// target, is marked (never deleted: the function holds no delete permission), alerts, and fails a rerun too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testSigningKey } from '../../helpers/agent.js';
import { type GmailStub, startGmailStub } from '../../helpers/gmail-stub.js';
import {
  describeEachBackend,
  type StorageBackend,
  startStorageBackend,
} from '../../helpers/storage-backends.js';
import { type FakeAgent, startFakeAgent } from './fake-agent.js';
import { createBucket, deliveredSince, type FunctionHarness, OAUTH, startFunction } from './harness.js';

const BUCKET = 'fn-check';
const bytes = Buffer.from('-- a dump that is not what the agent says it is\n'.repeat(100));

describeEachBackend((backend) =>
  describe('the object check', () => {
    let emulator: StorageBackend;
    let gmail: GmailStub;
    const closers: { close(): Promise<void> }[] = [];

    beforeAll(async () => {
      [emulator, gmail] = await Promise.all([startStorageBackend(backend), startGmailStub({ oauth: OAUTH })]);
      await createBucket(emulator.url, BUCKET);
    });
    afterAll(async () => {
      await Promise.all(closers.map((closer) => closer.close()));
      await Promise.all([emulator?.close(), gmail?.close()]);
    });

    async function run(claim: Parameters<typeof startFakeAgent>[0]['claim'], prefix: string) {
      const agent: FakeAgent = await startFakeAgent({ bytes, claim });
      const harness: FunctionHarness = await startFunction({
        emulator,
        gmail,
        bucket: BUCKET,
        key: testSigningKey().key,
        targets: [{ id: 'app', database: 'app', engine: 'postgres', agentUrl: agent.url }],
        env: { BACKUP_PREFIX: prefix },
      });
      closers.push(agent, harness);
      const sent = gmail.messages.length;
      const result = await harness.backup();
      const file = harness.storage.bucket(BUCKET).file(result.report.targets[0]?.objectName ?? '');
      const [metadata] = await file.getMetadata();
      return {
        ...result,
        harness,
        custom: metadata.metadata ?? {},
        mails: await deliveredSince(gmail, sent),
      };
    }

    it('fails on a size mismatch, marking the object unverified, and a rerun fails too', async () => {
      const { status, report, custom, mails, harness } = await run(
        { bytesUploaded: bytes.length + 1 },
        'size/',
      );
      expect(status).toBe(500);
      expect(report.targets[0]).toMatchObject({ outcome: 'failed', error: { code: 'CHECK_MISMATCH' } });
      expect(report.targets[0]?.error?.message).toContain(
        `the object has ${bytes.length} bytes, the agent uploaded ${bytes.length + 1}`,
      );
      expect(custom.sha256).toBeUndefined();
      expect(custom.checkFailed).toContain(`the agent uploaded ${bytes.length + 1}`);
      expect(mails).toHaveLength(1);
      expect(mails[0]?.text).toContain('CHECK_MISMATCH');

      const rerun = await harness.backup();
      expect(rerun.status).toBe(500);
      expect(rerun.report.targets[0]).toMatchObject({ outcome: 'failed', error: { code: 'CHECK_MISMATCH' } });
      expect(rerun.report.targets[0]?.error?.message).toContain('failed its check');
    });

    it('fails on a crc32c mismatch', async () => {
      const { status, report, custom } = await run({ crc32c: 'AAAAAA==' }, 'crc/');
      expect(status).toBe(500);
      expect(report.targets[0]?.error?.message).toContain('crc32c is');
      expect(custom.sha256).toBeUndefined();
      expect(custom.checkFailed).toContain('crc32c');
    });

    it('accepts the same object when the counts are true', async () => {
      const { status, report, custom } = await run({}, 'true/');
      expect(status).toBe(200);
      expect(report.targets[0]?.outcome).toBe('succeeded');
      expect(custom.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(custom.checkFailed).toBeUndefined();
    });
  }),
);
