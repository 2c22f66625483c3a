// Decompression as the object's name says: gunzip in-process through node:zlib (multi-member streams too), or
// `zstd -d` as a child process.
import type { Readable, Writable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { CompressionAlgorithm } from '../../core/formats.js';
import { type RunningTool, spawnTool } from '../pipeline/spawn-tool.js';

export interface Decompressor {
  input: Writable;
  output: Readable;
  /** The zstd process; none for gzip. */
  tool?: RunningTool;
  label: string;
}

export function startDecompressor(algorithm: CompressionAlgorithm, zstdPath: string): Decompressor {
  if (algorithm === 'gzip') {
    const gunzip = createGunzip({ chunkSize: 64 * 1024 });
    return { input: gunzip, output: gunzip, label: 'gunzip' };
  }
  // -q: no progress on stderr; stdin to stdout.
  const tool = spawnTool(
    { file: zstdPath, args: ['-d', '-q', '-c', '-'], env: {}, secretFiles: [] },
    { stdin: 'pipe' },
  );
  const { stdin, stdout } = tool.child;
  if (!stdin || !stdout) throw new Error('zstd started without pipes');
  return { input: stdin, output: stdout, tool, label: 'zstd' };
}
