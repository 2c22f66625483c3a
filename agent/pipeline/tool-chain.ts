// The one way a dump leaves the VM: dump tool → pv → compressor, joined by kernel pipes, so that the dump's bytes
// pass from tool to tool and never through the agent, which reads only the compressed stream.

import { closeSync } from 'node:fs';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import type { ErrorCode } from '../../core/errors.js';
import type { DumpCommand } from '../engines/engine.js';
import type { Compressor } from './compressor.js';
import { type DumpMeter, startDumpMeter } from './dump-meter.js';
import { createOsPipe, type OsPipe } from './os-pipe.js';
import type { RequiredTool } from './required-tools.js';
import { type RunningTool, spawnTool } from './spawn-tool.js';
import type { StderrTail } from './stderr-tail.js';

/**
 * Each tool's place in the chain, counted from the dump (a tool whose reader dies is broken by it, see blame.ts),
 * and the code its failure gives the backup.
 */
export const STAGES = {
  dump: { at: 0, code: 'DUMP_FAILED' },
  count: { at: 1, code: 'DUMP_FAILED' },
  compress: { at: 2, code: 'COMPRESS_FAILED' },
} as const satisfies Record<string, { at: number; code: ErrorCode }>;

export type StageKey = keyof typeof STAGES;

/** A started tool of the chain; `requires` names it when it is one of the required tools (not the dump tool). */
export interface Stage {
  key: StageKey;
  label: string;
  tool: RunningTool;
  requires?: RequiredTool;
}

export interface ChainInput {
  dump: DumpCommand;
  compressor: Compressor;
  pv: string;
  /** Where pv's lines other than its counts go. */
  tail: StderrTail;
  /** Follows each tool as it starts; false when it could not start, so that nothing upstream of it starts. */
  watch: (stage: Stage) => boolean;
}

export interface Chain {
  /** The compressor's stdout: all the agent reads. */
  output: Readable;
  /** The dump's exact size so far, from pv; absent when pv never started. */
  meter?: DumpMeter;
}

/** Starts the tools from the last to the first, so that each one's reader is there before it writes. */
export function startChain(input: ChainInput): Chain {
  const pipes: OsPipe[] = [];
  try {
    // One at a time, so that the first is closed below even when the second cannot be made.
    for (let i = 0; i < 2; i += 1) pipes.push(createOsPipe());
    const [toMeter, toCompressor] = pipes as [OsPipe, OsPipe];
    const { command, tool } = input.compressor;
    const compressor = spawnTool(command, { stdin: toCompressor.read });
    const chain: Chain = { output: compressor.child.stdout as Readable };
    const label = basename(command.file);
    if (!input.watch({ key: 'compress', label, tool: compressor, requires: tool })) return chain;
    const meter = startDumpMeter(input.pv, { stdin: toMeter.read, stdout: toCompressor.write }, input.tail);
    chain.meter = meter;
    if (!input.watch({ key: 'count', label: meter.label, tool: meter.tool, requires: 'pv' })) return chain;
    const dump = spawnTool(input.dump, { stdout: toMeter.write });
    input.watch({ key: 'dump', label: basename(input.dump.file), tool: dump });
    return chain;
  } finally {
    // Each tool holds its own copies: the agent's must go for a reader to see the end once its writer exits.
    for (const pipe of pipes) for (const fd of [pipe.read, pipe.write]) closeSync(fd);
  }
}
