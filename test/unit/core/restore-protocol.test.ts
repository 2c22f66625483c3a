import { describe, expect, it } from 'vitest';
import { describeIssues } from '../../../core/protocol.js';
import { restoreRequestSchema } from '../../../core/restore-protocol.js';

const request = {
  runId: 'run-1',
  targetId: 'hospital',
  objectName: 'HospitalDB_20261130.sql.gz',
  downloadUrl: 'https://storage.googleapis.com/acme/HospitalDB_20261130.sql.gz?X-Goog-Signature=x',
  expected: { size: 3557, crc32c: 'hbfx/Q==', md5: 'XUFAKrxLKna5cZ2REBfFkg==' },
};

describe('restoreRequestSchema', () => {
  it('accepts a restore, keep off and the agent’s default scratch database unless asked', () => {
    expect(restoreRequestSchema.parse(request)).toEqual({ ...request, keep: false });
  });

  it.each([
    ['a scratch name outside the name rule', { scratchDatabase: 'x; DROP DATABASE y' }, 'scratchDatabase'],
    [
      'hashes not in Cloud Storage’s encoding',
      { expected: { ...request.expected, md5: 'abc' } },
      'expected.md5',
    ],
    ['a URL that is not http(s)', { downloadUrl: 'file:///etc/passwd' }, 'downloadUrl'],
    ['credentials or any field it does not know', { password: 'hunter2' }, 'password'],
  ])('refuses %s, naming the field', (_what, change, field) => {
    const result = restoreRequestSchema.safeParse({ ...request, ...change });
    expect(result.success).toBe(false);
    expect(describeIssues(result.error!)).toContain(field);
  });
});
