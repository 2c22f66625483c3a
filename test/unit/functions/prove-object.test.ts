import { describe, expect, it } from 'vitest';
import type { JobStatus } from '../../../core/protocol.js';
import { findMismatch } from '../../../functions/settle-object.js';

const job: JobStatus = {
  jobId: 'j',
  runId: 'r',
  targetId: 't',
  objectName: 'o',
  state: 'succeeded',
  bytesRead: 100,
  bytesUploaded: 40,
  crc32c: 'AAAAAA==',
  md5: 'bWQ1',
  sha256: 'ab',
  exitCodes: { dump: 0 },
  stderrTail: [],
};

describe('findMismatch', () => {
  it('is null when size and hashes agree', () => {
    expect(findMismatch({ size: 40, crc32c: 'AAAAAA==', md5Hash: 'bWQ1' }, job)).toBeNull();
  });

  it.each([
    [{ size: 41, crc32c: 'AAAAAA==' }, job, 'the object has 41 bytes, the agent uploaded 40'],
    [{ size: 40, crc32c: 'BBBBBB==' }, job, "the object's crc32c is BBBBBB==, the agent's is AAAAAA=="],
    [{ size: 40, crc32c: 'AAAAAA==', md5Hash: 'eHg=' }, job, "the object's md5 is eHg="],
    [{ size: 40, crc32c: 'AAAAAA==' }, { ...job, crc32c: undefined }, 'the agent reported no crc32c'],
  ])('says what differs: %j', (info, status, expected) => {
    expect(findMismatch(info, status)).toContain(expected);
  });
});
