// Compression as the request asks, on every core: gzip through pigz when it is installed and otherwise as parallel
// gzip members on worker threads; zstd as a child process with one worker per core.

import { basename } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { type Compression, compressionLevel } from '../../core/compression.js';
import { findExecutable } from './find-executable.js';
import { GzipMembers } from './gzip-members.js';
import { type RunningTool, spawnTool } from './spawn-tool.js';

export interface CompressorTools {
  /** The zstd executable: a bare name is looked up on PATH when it starts. */
  zstdPath: string;
  /** The pigz executable, `pigz` when absent: a bare name not found on PATH means gzip runs in-process; a path must exist. */
  pigzPath?: string;
}

export interface Compressor {
  input: Writable;
  output: Readable;
  /** The pigz or zstd process; none when gzip runs in-process. */
  tool?: RunningTool;
  /** Names the compressor in errors and stderr lines: the executable's file name, or `gzip` in-process. */
  label: string;
  /** Every stream whose error means the compressor failed. */
  streams: (Readable | Writable)[];
}

/** A compressor reading stdin and writing stdout; `-q`: no progress or warnings on stderr. */
function childCompressor(file: string, args: string[]): Compressor {
  const tool = spawnTool({ file, args: ['-q', ...args], env: {}, secretFiles: [] }, { stdin: 'pipe' });
  const { stdin, stdout } = tool.child;
  if (!stdin || !stdout) throw new Error(`${basename(file)} started without pipes`);
  return { input: stdin, output: stdout, tool, label: basename(file), streams: [stdin, stdout] };
}

export function startCompressor(compression: Compression, tools: CompressorTools): Compressor {
  const level = compressionLevel(compression);
  if (compression.algorithm === 'zstd') {
    // -T0: one worker per core; stdin to stdout.
    return childCompressor(tools.zstdPath, [`-${level}`, '-T0', '-c', '-']);
  }
  const pigz = findExecutable(tools.pigzPath ?? 'pigz');
  // pigz uses every core by default and writes one gzip stream, read by anything that reads gzip.
  if (pigz) return childCompressor(pigz, [`-${level}`, '-c']);
  const gzip = new GzipMembers({ level });
  return { input: gzip, output: gzip, label: 'gzip', streams: [gzip] };
}
