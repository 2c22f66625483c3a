// Compression as the request asks: gzip in-process through node:zlib, or zstd as a child process using every core.

import type { Readable, Writable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { type Compression, compressionLevel } from '../../core/compression.js';
import { type RunningTool, spawnTool } from './spawn-tool.js';

export interface Compressor {
  input: Writable;
  output: Readable;
  /** The zstd process; none for gzip, which runs in-process. */
  tool?: RunningTool;
  /** Every stream whose error means the compressor failed. */
  streams: (Readable | Writable)[];
}

export function startCompressor(compression: Compression, zstdPath: string): Compressor {
  const level = compressionLevel(compression);
  if (compression.algorithm === 'gzip') {
    // 64 KiB output chunks: fewer, larger writes downstream than zlib's 16 KiB default.
    const gzip = createGzip({ level, chunkSize: 64 * 1024 });
    return { input: gzip, output: gzip, streams: [gzip] };
  }
  // -T0: one worker per core; -q: no progress on stderr; stdin to stdout.
  const tool = spawnTool(
    { file: zstdPath, args: ['-q', `-${level}`, '-T0', '-c', '-'], env: {}, secretFiles: [] },
    'pipe',
  );
  const { stdin, stdout } = tool.child;
  if (!stdin || !stdout) throw new Error('zstd started without pipes');
  return { input: stdin, output: stdout, tool, streams: [stdin, stdout] };
}
