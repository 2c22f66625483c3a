// Compression levels: defaults per algorithm and a clear error beyond what the algorithm allows.

import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compressionLevel, startCompressor } from '../../../../agent/pipeline/compressor.js';

describe('compressionLevel', () => {
  it('defaults to 6 for gzip and 3 for zstd', () => {
    expect(compressionLevel({ algorithm: 'gzip' })).toBe(6);
    expect(compressionLevel({ algorithm: 'zstd' })).toBe(3);
  });

  it('refuses a gzip level above 9, naming it', () => {
    expect(() => compressionLevel({ algorithm: 'gzip', level: 12 })).toThrow(
      'gzip level 12 is out of range 1–9',
    );
    expect(compressionLevel({ algorithm: 'zstd', level: 19 })).toBe(19);
  });
});

describe('startCompressor', () => {
  it('gzips in-process, without a child', async () => {
    const compressor = startCompressor({ algorithm: 'gzip', level: 1 }, 'zstd');
    expect(compressor.tool).toBeUndefined();
    const chunks: Buffer[] = [];
    compressor.output.on('data', (chunk: Buffer) => chunks.push(chunk));
    const ended = new Promise((resolve) => compressor.output.on('end', resolve));
    compressor.input.end('hello hello hello');
    await ended;
    expect(gunzipSync(Buffer.concat(chunks)).toString()).toBe('hello hello hello');
  });
});
