import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createCloudLogger } from '../../../../functions/logging/logger.js';

function capture() {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
  });
  return { stream, lines };
}

describe('createCloudLogger', () => {
  it("writes one JSON line per entry in Cloud Logging's structured format", () => {
    const { stream, lines } = capture();
    const logger = createCloudLogger({ stream, project: 'acme-prod' });
    logger.log('ERROR', 'backup.failed', 'backup of HospitalDB failed', {
      runId: 'run-1',
      targetId: 'hospital',
      database: 'HospitalDB',
      object: 'HospitalDB_20250301.sql.gz',
      bytes: 10,
      durationMs: 1200,
      errorCode: 'DUMP_FAILED',
      stderrTail: ['mysqldump: error'],
      jobId: undefined,
    });
    const entry = lines.find((line) => line.event === 'backup.failed');
    expect(entry).toMatchObject({
      severity: 'ERROR',
      message: 'backup of HospitalDB failed',
      event: 'backup.failed',
      'logging.googleapis.com/labels': { runId: 'run-1', targetId: 'hospital', database: 'HospitalDB' },
      object: 'HospitalDB_20250301.sql.gz',
      bytes: 10,
      durationMs: 1200,
      errorCode: 'DUMP_FAILED',
      stderrTail: ['mysqldump: error'],
      logName: 'projects/acme-prod/logs/db-backup',
    });
    expect(entry).not.toHaveProperty('jobId');
    expect(entry).toHaveProperty('timestamp');
  });

  it('keeps labels and payload apart: nothing but the labels is indexed as a label', () => {
    const { stream, lines } = capture();
    createCloudLogger({ stream }).log('INFO', 'run.finished', 'done', {
      runId: 'r',
      counts: { succeeded: 2 },
    });
    const entry = lines.find((line) => line.event === 'run.finished');
    expect(entry?.['logging.googleapis.com/labels']).toEqual({ runId: 'r' });
    expect(entry?.counts).toEqual({ succeeded: 2 });
  });
});
