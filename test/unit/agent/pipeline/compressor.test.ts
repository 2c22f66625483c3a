// The compressors: gzip in-process.

import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { startCompressor } from '../../../../agent/pipeline/compressor.js';

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
