import { describe, expect, it } from 'vitest';
import { describeIssues, jobSpecSchema, jobStatusSchema, runRequestSchema } from '../../../core/protocol.js';

const request = {
  targetId: 'hospital',
  objectName: 'HospitalDB_20261126.sql.gz',
  uploadUri: 'https://storage.googleapis.com/upload/storage/v1/b/bkt/o?uploadType=resumable&upload_id=x',
  compression: { algorithm: 'gzip', level: 6 },
};
const run = { runId: 'run-20261126-abc', concurrency: 1, onError: 'stop', jobs: [request] };

describe('runRequestSchema', () => {
  it('accepts a well-formed run', () => {
    expect(runRequestSchema.parse(run)).toEqual(run);
  });

  it('names the bad field', () => {
    const result = runRequestSchema.safeParse({ ...run, jobs: [{ ...request, targetId: 'a;rm -rf /' }] });
    expect(result.success).toBe(false);
    expect(describeIssues(result.error!)).toMatch(/^jobs\.0\.targetId: must be 1 to 63 characters/);
  });

  it('refuses credentials or any field it does not know', () => {
    const result = runRequestSchema.safeParse({ ...run, jobs: [{ ...request, password: 'hunter2' }] });
    expect(result.success).toBe(false);
    expect(describeIssues(result.error!)).toMatch(/password/);
  });

  it.each([
    ['runId', 'run id with spaces'],
    ['concurrency', 0],
    ['onError', 'ignore'],
    ['jobs', []],
    ['jobs', [request, request]],
  ])('refuses a bad %s', (field, value) => {
    const result = runRequestSchema.safeParse({ ...run, [field]: value });
    expect(result.success).toBe(false);
    expect(describeIssues(result.error!)).toContain(field);
  });
});

describe('jobSpecSchema', () => {
  it.each([
    ['uploadUri', 'file:///etc/passwd'],
    ['uploadUri', 'not a url'],
    ['compression', { algorithm: 'brotli' }],
    ['compression', { algorithm: 'gzip', level: 0 }],
    ['objectName', ''],
  ])('refuses a bad %s', (field, value) => {
    const result = jobSpecSchema.safeParse({ ...request, [field]: value });
    expect(result.success).toBe(false);
    expect(describeIssues(result.error!)).toContain(field);
  });
});

describe('jobStatusSchema', () => {
  it('accepts a failed job with its exit codes and stderr tail', () => {
    const status = {
      jobId: 'j-1',
      runId: 'run-1',
      targetId: 'hospital',
      objectName: 'HospitalDB_20261126.sql.gz',
      state: 'failed',
      bytesRead: 5_000_000,
      bytesUploaded: 0,
      startedAt: '2026-11-26T02:00:00.000Z',
      endedAt: '2026-11-26T02:00:03.000Z',
      exitCodes: { dump: 2, compress: null },
      errorCode: 'DUMP_FAILED',
      stderrTail: ['mariadb-dump: Got error: 1045: Access denied'],
    };
    expect(jobStatusSchema.parse(status)).toEqual(status);
    expect(jobStatusSchema.safeParse({ ...status, state: 'lost' }).success).toBe(false);
  });
});
