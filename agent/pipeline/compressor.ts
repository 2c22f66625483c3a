// The compressor process, on every core: gzip through pigz, zstd with one worker per core. Each reads the dump on
// stdin and writes the compressed stream on stdout.

import { type Compression, compressionLevel } from '../../core/compression.js';
import type { DumpCommand } from '../engines/engine.js';
import type { RequiredTool } from './required-tools.js';

export interface CompressorTools {
  /** The zstd executable: a bare name is looked up on PATH when it starts. */
  zstdPath: string;
  /** The pigz executable: a bare name is looked up on PATH when it starts. */
  pigzPath: string;
}

export interface Compressor {
  command: DumpCommand;
  /** Which required tool it runs, for the admin told to install it. */
  tool: RequiredTool;
}

/** `-q`: no progress or warnings on stderr, whose lines would read as the compressor's complaints. */
export function compressorFor(compression: Compression, tools: CompressorTools): Compressor {
  const level = compressionLevel(compression);
  const command = (file: string, args: string[]) => ({
    file,
    args: ['-q', ...args],
    env: {},
    secretFiles: [],
  });
  // -T0: one worker per core.
  if (compression.algorithm === 'zstd') {
    return { command: command(tools.zstdPath, [`-${level}`, '-T0', '-c', '-']), tool: 'zstd' };
  }
  // pigz uses every core by default and writes one gzip stream, read by anything that reads gzip.
  return { command: command(tools.pigzPath, [`-${level}`, '-c']), tool: 'pigz' };
}
