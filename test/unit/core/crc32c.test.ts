// CRC32C against the check value and against the storage library's implementation.

import { randomBytes } from 'node:crypto';
import { CRC32C } from '@google-cloud/storage';
import { describe, expect, it } from 'vitest';
import { Crc32c } from '../../../core/hashes.js';

describe('Crc32c', () => {
  it('gives the standard check value for "123456789"', () => {
    const crc = new Crc32c();
    crc.update(Buffer.from('123456789'));
    expect(Buffer.from(crc.toString(), 'base64').toString('hex')).toBe('e3069283');
  });

  it('is the empty checksum before any byte', () => {
    expect(new Crc32c().toString()).toBe(new CRC32C().toString());
  });

  it.each([1, 7, 8, 9, 255, 4096, 65_537])(
    'matches the library on %i random bytes fed in uneven pieces',
    (length) => {
      const data = randomBytes(length);
      const ours = new Crc32c();
      for (let at = 0; at < length; at += 13) ours.update(data.subarray(at, at + 13));
      const theirs = new CRC32C();
      theirs.update(data);
      expect(ours.toString()).toBe(theirs.toString());
    },
  );
});
