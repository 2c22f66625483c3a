// Compression as the request asks, on every core: gzip through pigz when it is installed and otherwise as parallel
// gzip members on worker threads; zstd as a child process with one worker per core.

import { basename } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { type Compression, compressionLevel } from '../../core/compression.js';
import type { DumpCommand } from '../engines/engine.js';
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

/**
 * The compressor process, reading stdin and writing stdout (`-q`: no progress or warnings on stderr); undefined when
 * gzip runs in-process.
 */
export function compressorCommand(compression: Compression, tools: CompressorTools): DumpCommand | undefined {
  const level = compressionLevel(compression);
  const command = (file: string, args: string[]) => ({
    file,
    args: ['-q', ...args],
    env: {},
    secretFiles: [],
  });
  // -T0: one worker per core.
  if (compression.algorithm === 'zstd') return command(tools.zstdPath, [`-${level}`, '-T0', '-c', '-']);
  const pigz = findExecutable(tools.pigzPath ?? 'pigz');
  // pigz uses every core by default and writes one gzip stream, read by anything that reads gzip.
  return pigz ? command(pigz, [`-${level}`, '-c']) : undefined;
}

/** A compressor the agent writes the dump into. */
export function startCompressor(compression: Compression, tools: CompressorTools): Compressor {
  const command = compressorCommand(compression, tools);
  if (!command) {
    const gzip = new GzipMembers({ level: compressionLevel(compression) });
    return { input: gzip, output: gzip, label: 'gzip', streams: [gzip] };
  }
  const tool = spawnTool(command, { stdin: 'pipe' });
  const { stdin, stdout } = tool.child;
  if (!stdin || !stdout) throw new Error(`${basename(command.file)} started without pipes`);
  return { input: stdin, output: stdout, tool, label: basename(command.file), streams: [stdin, stdout] };
}
