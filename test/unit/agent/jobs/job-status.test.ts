import { describe, expect, it } from 'vitest';
import {
  INTERRUPTED_MESSAGE,
  interruptedStatus,
  queuedStatus,
  runningStatus,
  settledStatus,
} from '../../../../agent/jobs/job-status.js';
import { createRedactor } from '../../../../agent/log/redact.js';
import { jobStatusSchema } from '../../../../core/protocol.js';

const request = {
  runId: 'run-1',
  targetId: 'app',
  objectName: 'app_20250301.sql.gz',
  uploadUri: 'http://127.0.0.1:1/upload?upload_id=x',
  compression: { algorithm: 'gzip' as const },
};
const start = new Date('2025-03-01T02:00:00.000Z');
const end = new Date('2025-03-01T02:01:00.000Z');
const redact = createRedactor(['pa55word']).redact;

describe('job status transitions', () => {
  it('starts queued with nothing counted, and never carries the upload URI', () => {
    const queued = queuedStatus('job-1', request, new Date('2025-03-01T01:59:00.000Z'));
    expect(jobStatusSchema.parse(queued)).toEqual(queued);
    expect(queued.state).toBe('queued');
    expect(JSON.stringify(queued)).not.toContain('upload_id');
    expect(runningStatus(queued, start)).toMatchObject({ state: 'running', startedAt: start.toISOString() });
  });

  it('settles a success with its counts, hashes and exit codes', () => {
    const running = runningStatus(
      queuedStatus('job-1', request, new Date('2025-03-01T01:59:00.000Z')),
      start,
    );
    const settled = settledStatus(
      running,
      {
        ok: true,
        bytesRead: 10,
        bytesUploaded: 4,
        crc32c: 'c',
        md5: 'm',
        sha256: 's',
        exitCodes: { dump: 0 },
        stderrTail: [],
      },
      end,
      redact,
    );
    expect(jobStatusSchema.parse(settled)).toEqual(settled);
    expect(settled).toMatchObject({
      state: 'succeeded',
      bytesRead: 10,
      crc32c: 'c',
      endedAt: end.toISOString(),
    });
    expect(settled.errorCode).toBeUndefined();
  });

  it('settles a failure with its code and a redacted message and stderr tail', () => {
    const running = runningStatus(
      queuedStatus('job-1', request, new Date('2025-03-01T01:59:00.000Z')),
      start,
    );
    const settled = settledStatus(
      running,
      {
        ok: false,
        bytesRead: 10,
        bytesUploaded: 0,
        exitCodes: { dump: 2 },
        errorCode: 'DUMP_FAILED',
        errorMessage: 'dump exited 2 (pa55word)',
        stderrTail: ['login with pa55word failed'],
      },
      end,
      redact,
    );
    expect(settled).toMatchObject({
      state: 'failed',
      errorCode: 'DUMP_FAILED',
      errorMessage: 'dump exited 2 ([REDACTED])',
      stderrTail: ['login with [REDACTED] failed'],
      exitCodes: { dump: 2 },
    });
  });

  it('marks an interrupted job with JOB_INTERRUPTED and keeps what it had counted', () => {
    const running = {
      ...runningStatus(queuedStatus('job-1', request, new Date('2025-03-01T01:59:00.000Z')), start),
      bytesRead: 99,
    };
    expect(interruptedStatus(running, end)).toMatchObject({
      state: 'interrupted',
      errorCode: 'JOB_INTERRUPTED',
      errorMessage: INTERRUPTED_MESSAGE,
      bytesRead: 99,
      endedAt: end.toISOString(),
    });
  });
});
