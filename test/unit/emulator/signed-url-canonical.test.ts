// The V4 canonical request parts: encoding, query order without the signature, header trimming.
import { describe, expect, it } from 'vitest';
import {
  canonicalHeaders,
  canonicalPath,
  canonicalQuery,
  v4Encode,
} from '../../../emulator/signed-url/canonical.js';

describe('V4 canonical request parts', () => {
  it('percent-encodes every byte but the unreserved ones', () => {
    expect(v4Encode("a b&c/d~e.f_g-h!'()*ü")).toBe('a%20b%26c%2Fd~e.f_g-h%21%27%28%29%2A%C3%BC');
  });

  it('encodes path segments afresh and keeps the slashes', () => {
    expect(canonicalPath('/bucket/dir/a%20b(1).txt')).toBe('/bucket/dir/a%20b%281%29.txt');
  });

  it('sorts the query by encoded name, leaves the signature out and encodes values', () => {
    expect(
      canonicalQuery('?prefix=%2Ffoo&X-Goog-Signature=abc&X-Goog-Date=1&souffl%C3%A9=%3D%25-_.~&b=2&b=1'),
    ).toBe('X-Goog-Date=1&b=1&b=2&prefix=%2Ffoo&souffl%C3%A9=%3D%25-_.~');
    expect(canonicalQuery('x-goog-signature=abc&a=')).toBe('a=');
  });

  it('writes each header as name:value with the value trimmed and inner spaces collapsed', () => {
    expect(
      canonicalHeaders([
        ['collapsed', 'abc    def'],
        ['host', ' storage.googleapis.com '],
        ['tabs', '\tabc\t\t\tdef\t'],
      ]),
    ).toBe('collapsed:abc def\nhost:storage.googleapis.com\ntabs:abc def\n');
  });
});
