// The emulator's header and body parsers: Content-Range, Range, x-goog-hash and multipart/related.
import { describe, expect, it } from 'vitest';
import { parseContentRange } from '../../../emulator/content-range.js';
import { parseGoogHash, verifyClaimedHashes } from '../../../emulator/hashes.js';
import { parseMultipartRelated } from '../../../emulator/multipart.js';
import { parseRange } from '../../../emulator/routes/download.js';

describe('parseContentRange', () => {
  it.each([
    [undefined, { kind: 'chunk', start: 0 }],
    ['bytes */*', { kind: 'query', total: undefined }],
    ['bytes */100', { kind: 'query', total: 100 }],
    ['bytes 0-262143/*', { kind: 'chunk', start: 0, end: 262143, total: undefined }],
    ['bytes 5-9/10', { kind: 'chunk', start: 5, end: 9, total: 10 }],
    ['bytes 0-*/*', { kind: 'chunk', start: 0, end: undefined, total: undefined }],
    ['bytes 0--1/0', { kind: 'chunk', start: 0, end: -1, total: 0 }],
  ])('reads %s', (header, expected) => {
    expect(parseContentRange(header)).toEqual(expected);
  });

  it.each(['bytes 1-2', 'items 0-1/2', 'bytes 5-2/10', 'bytes 0-10/10'])('refuses %s with 400', (header) => {
    expect(() => parseContentRange(header)).toThrow(expect.objectContaining({ status: 400 }));
  });
});

describe('parseRange', () => {
  it('reads single ranges and clamps them to the object', () => {
    expect(parseRange('bytes=2-5', 10)).toEqual({ start: 2, end: 5 });
    expect(parseRange('bytes=8-', 10)).toEqual({ start: 8, end: 9 });
    expect(parseRange('bytes=-3', 10)).toEqual({ start: 7, end: 9 });
    expect(parseRange('bytes=4-100', 10)).toEqual({ start: 4, end: 9 });
    expect(parseRange('bytes=10-', 10)).toBe('unsatisfiable');
    expect(parseRange(undefined, 10)).toBeUndefined();
    expect(parseRange('bytes=0-1,4-5', 10)).toBeUndefined();
  });
});

describe('hashes', () => {
  it('reads x-goog-hash and refuses a claim that differs', () => {
    expect(parseGoogHash('crc32c=AAAAAA==,md5=BBBB')).toEqual({ crc32c: 'AAAAAA==', md5Hash: 'BBBB' });
    expect(parseGoogHash(['crc32c=AAAAAA==', 'md5=BBBB'])).toEqual({ crc32c: 'AAAAAA==', md5Hash: 'BBBB' });
    const actual = { crc32c: 'AAAAAA==', md5Hash: 'BBBB' };
    expect(() => verifyClaimedHashes({ crc32c: 'AAAAAA==' }, actual)).not.toThrow();
    expect(() => verifyClaimedHashes({ md5Hash: 'CCCC' }, actual)).toThrow(
      expect.objectContaining({ status: 400 }),
    );
  });
});

describe('parseMultipartRelated', () => {
  it('splits the metadata part from the media part', () => {
    const body = Buffer.from(
      '--xyz\r\nContent-Type: application/json\r\n\r\n{"name":"a.txt"}\r\n' +
        '--xyz\r\nContent-Type: text/plain\r\n\r\nline one\r\nline two\r\n--xyz--\r\n',
    );
    const upload = parseMultipartRelated('multipart/related; boundary="xyz"', body);
    expect(upload.metadata).toEqual({ name: 'a.txt' });
    expect(upload.media.toString()).toBe('line one\r\nline two');
    expect(upload.mediaType).toBe('text/plain');
  });

  it('refuses a body without its two parts', () => {
    expect(() => parseMultipartRelated('multipart/related; boundary=b', Buffer.from('--b--'))).toThrow(
      expect.objectContaining({ status: 400 }),
    );
  });
});
