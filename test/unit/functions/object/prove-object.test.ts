// Proof that an object is ours: the agent's counts and the day it was made.
import { describe, expect, it } from 'vitest';
import type { JobStatus } from '../../../../core/protocol.js';
import { findMismatch, outsideDay, windowOf } from '../../../../functions/object/prove-object.js';

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
    [{ size: 40, crc32c: 'AAAAAA==' }, job, "the object's md5 is undefined"],
    [{ size: 40, crc32c: 'AAAAAA==' }, { ...job, crc32c: undefined }, 'the agent reported no crc32c or md5'],
    [{ size: 40, crc32c: 'AAAAAA==' }, { ...job, md5: undefined }, 'the agent reported no crc32c or md5'],
  ])('says what differs: %j', (info, status, expected) => {
    expect(findMismatch(info, status)).toContain(expected);
  });
});

describe('outsideDay', () => {
  const window = { date: '20250301', timeZone: 'Europe/Lisbon', graceMinutes: 180 };

  it('accepts an object made on its day, or finished within the grace after midnight', () => {
    expect(outsideDay('2025-03-01T00:00:00.000Z', window)).toBeNull();
    expect(outsideDay('2025-03-01T23:59:59.000Z', window)).toBeNull();
    expect(outsideDay('2025-03-02T02:59:00.000Z', window)).toBeNull();
  });

  it('refuses one made before its day or well after it, saying when', () => {
    expect(outsideDay('2025-02-28T23:59:59.000Z', window)).toBe(
      'it was created 2025-02-28T23:59:59.000Z, outside its date 20250301 (Europe/Lisbon)',
    );
    expect(outsideDay('2025-03-02T03:01:00.000Z', window)).toContain('outside its date 20250301');
    expect(outsideDay('not a time', window)).toContain('outside its date');
  });
});

describe('windowOf', () => {
  const day = { date: '20250301', timeZone: 'Europe/Lisbon' };

  it("reaches past midnight until the job's deadline, and no further", () => {
    const window = windowOf(day, { deadline: '2025-03-02T04:30:00.000Z' });
    expect(window.graceMinutes).toBe(270);
    expect(outsideDay('2025-03-02T04:29:00.000Z', window)).toBeNull();
    expect(outsideDay('2025-03-02T04:31:00.000Z', window)).toContain('outside its date 20250301');
  });

  it("is the day alone for a job that had to end on it, and the agent's default past it without a deadline", () => {
    expect(windowOf(day, { deadline: '2025-03-01T05:00:00.000Z' }).graceMinutes).toBe(0);
    expect(windowOf(day, {}).graceMinutes).toBe(180);
  });
});
