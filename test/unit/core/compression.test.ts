// The one compression rule: each algorithm's level range and default.
import { describe, expect, it } from 'vitest';
import { compressionLevel, compressionSchema } from '../../../core/compression.js';
import { describeIssues } from '../../../core/protocol.js';

describe('compressionSchema', () => {
  it.each([
    [{ algorithm: 'gzip', level: 1 }, true],
    [{ algorithm: 'gzip', level: 9 }, true],
    [{ algorithm: 'gzip', level: 10 }, false],
    [{ algorithm: 'gzip', level: 0 }, false],
    [{ algorithm: 'zstd', level: 19 }, true],
    [{ algorithm: 'zstd', level: 20 }, false],
    [{ algorithm: 'zstd', level: 2.5 }, false],
    [{ algorithm: 'brotli' }, false],
    [{ algorithm: 'gzip', extra: 1 }, false],
  ])('%j valid: %s', (value, valid) => {
    expect(compressionSchema.safeParse(value).success).toBe(valid);
  });

  it('names the bad level and its bound', () => {
    const parsed = compressionSchema.safeParse({ algorithm: 'gzip', level: 12 });
    expect(parsed.success).toBe(false);
    if (!parsed.success) expect(describeIssues(parsed.error)).toMatch(/^level: .*<=9/);
  });
});

describe('compressionLevel', () => {
  it('defaults to 6 for gzip and 3 for zstd, and keeps a chosen level', () => {
    expect(compressionLevel({ algorithm: 'gzip' })).toBe(6);
    expect(compressionLevel({ algorithm: 'zstd' })).toBe(3);
    expect(compressionLevel({ algorithm: 'zstd', level: 19 })).toBe(19);
  });
});
