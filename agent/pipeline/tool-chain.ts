// The one way a dump leaves the VM: dump tool (under stdbuf) → pv (its exact size) → pv (its last bytes) →
// compressor → age when the backup is encrypted, joined by kernel pipes, so that the dump's bytes pass from tool to
// tool and never through the agent, which reads only the stream that is uploaded — and, where the engine records
// where the dump starts, the dump's first 16 KiB, which head takes before the counting pv (dump-head.ts).

import { closeSync } from 'node:fs';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ErrorCode } from '../../core/errors.js';
import type { DumpCommand } from '../engines/engine.js';
import type { Compressor } from './compressor.js';
import { type DumpHead, startDumpHead } from './dump-head.js';
import { type DumpMeter, startDumpMeter } from './dump-meter.js';
import { type DumpTail, startDumpTail } from './dump-tail.js';
import { createOsPipe, type OsPipe } from './os-pipe.js';
import { startRawTail } from './raw-tail.js';
import type { RequiredTool } from './required-tools.js';
import { type RunningTool, spawnTool } from './spawn-tool.js';
import type { StderrTail } from './stderr-tail.js';

/**
 * Each tool's place in the chain, counted from the dump (a tool whose reader dies is broken by it, see blame.ts),
 * and the code its failure gives the backup.
 */
export const STAGES = {
  dump: { at: 0, code: 'DUMP_FAILED' },
  head: { at: 1, code: 'DUMP_FAILED' },
  count: { at: 2, code: 'DUMP_FAILED' },
  mark: { at: 3, code: 'DUMP_FAILED' },
  compress: { at: 4, code: 'COMPRESS_FAILED' },
  encrypt: { at: 5, code: 'ENCRYPT_FAILED' },
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
  /** age encrypting the compressed stream for the backup's recipients; none for a plain backup. */
  encrypt?: DumpCommand;
  pv: string;
  /** Where the pvs' lines other than their counts and displays go. */
  tail: StderrTail;
  /** Follows each tool as it starts; false when it could not start, so that nothing upstream of it starts. */
  watch: (stage: Stage) => boolean;
  /** Whether the agent reads the dump's first bytes (where the engine records the dump's starting point). */
  readHead?: boolean;
  /** Whether the dump's last bytes are read as they are (raw-tail.ts) rather than as pv shows text: a binary dump. */
  rawTail?: boolean;
  /** Each line the dump tool writes to stderr, when its completion mark needs them. */
  dumpStderr?: (line: string) => void;
  /** Aborted by a failure: a dump tool not started yet never starts. */
  signal: AbortSignal;
}

export interface Chain {
  /** The last tool's stdout (age's, or the compressor's for a plain backup): all the agent reads. */
  output: Readable;
  /** The dump's exact size so far, from pv; absent when it never started. */
  meter?: DumpMeter;
  /** The dump's last bytes, from the other pv; absent when it never started. */
  tail?: DumpTail;
  /** The dump's first bytes, with readHead; absent when head never started. */
  head?: DumpHead;
}

/** A real pv shows its first display after 0.1 s; one that does not within this is not waited for any longer. */
const TAIL_READY_MS = 2000;
/** A stderr line longer is cut: a tool writing without newlines must not grow the agent's memory. */
const MAX_LINE = 1000;

/** Each line of a tool's stderr, handwritten rather than readline's, which keeps an unfinished line whole. */
function eachLine(stream: Readable, onLine: (line: string) => void): void {
  let partial = '';
  stream.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split(/\r?\n/);
    partial = (lines.pop() ?? '').slice(0, MAX_LINE);
    for (const line of lines) onLine(line.slice(0, MAX_LINE));
  });
  stream.on('end', () => {
    if (partial) onLine(partial);
  });
}

/**
 * The dump tool with its stdout in a 1 MiB buffer (coreutils' stdbuf; tools on C's stdio — mysqldump, pg_dump,
 * sqlite3 — take it, mongodump, in Go, writes as it does anyway) rather than the 4 KiB a pipe gets by default. Every
 * write wakes both pvs and the compressor: in 4 KiB pieces the pvs' wake-ups cost more CPU than the second pv's
 * copying adds (bench/README.md). stdbuf execs the tool, so its process, exit code and signals are the tool's.
 */
function buffered(dump: DumpCommand): DumpCommand {
  return { ...dump, file: 'stdbuf', args: ['-o', '1M', dump.file, ...dump.args] };
}

/** Starts the tools from the last to the first, so that each one's reader is there before it writes. */
export async function startChain(input: ChainInput): Promise<Chain> {
  const pipes: OsPipe[] = [];
  /** The head's end of its pipe to the counting pv, which the head closes itself once it has passed its bytes on. */
  let handed: number | undefined;
  try {
    // One at a time, so that those made are closed below even when the next cannot be.
    // Three pipes always, and one more for each optional stage: the head's to the counting pv, the compressor's to age.
    for (let i = 0; i < 3 + Number(Boolean(input.readHead)) + Number(Boolean(input.encrypt)); i += 1) {
      pipes.push(createOsPipe());
    }
    const [toCount, toMark, toCompressor, ...optional] = pipes as [OsPipe, OsPipe, OsPipe, ...OsPipe[]];
    const headToCount = input.readHead ? optional.shift() : undefined;
    const toEncrypt = input.encrypt ? optional.shift() : undefined;
    let chain: Chain | undefined;
    if (input.encrypt && toEncrypt) {
      const age = spawnTool(input.encrypt, { stdin: toEncrypt.read });
      chain = { output: age.child.stdout as Readable };
      if (!input.watch({ key: 'encrypt', label: basename(input.encrypt.file), tool: age, requires: 'age' })) {
        return chain;
      }
    }
    const { command, tool } = input.compressor;
    const compressor = spawnTool(command, { stdin: toCompressor.read, stdout: toEncrypt?.write ?? 'pipe' });
    chain ??= { output: compressor.child.stdout as Readable };
    if (!input.watch({ key: 'compress', label: basename(command.file), tool: compressor, requires: tool })) {
      return chain;
    }
    const markEnds = { stdin: toMark.read, stdout: toCompressor.write };
    const tail = input.rawTail
      ? startRawTail(markEnds, input.tail)
      : startDumpTail(input.pv, markEnds, input.tail);
    chain.tail = tail;
    // tee is coreutils', as stdbuf is: the same package to install.
    const markTool = input.rawTail ? 'stdbuf' : 'pv';
    if (!input.watch({ key: 'mark', label: tail.label, tool: tail.tool, requires: markTool })) return chain;
    const first = headToCount?.read;
    const meter = startDumpMeter(
      input.pv,
      { stdin: toCount.read, stdout: toMark.write, ...(first !== undefined && { first }) },
      input.tail,
    );
    chain.meter = meter;
    if (!input.watch({ key: 'count', label: meter.label, tool: meter.tool, requires: 'pv' })) return chain;
    if (headToCount) {
      handed = headToCount.write;
      const head = startDumpHead(toCount.read, headToCount.write);
      chain.head = head;
      if (!input.watch({ key: 'head', label: head.label, tool: head.tool })) return chain;
    }
    const waited = new AbortController();
    const signal = AbortSignal.any([input.signal, waited.signal]);
    await Promise.race([tail.ready, sleep(TAIL_READY_MS, undefined, { signal }).catch(() => {})]);
    waited.abort();
    if (input.signal.aborted) return chain;
    const dump = spawnTool(buffered(input.dump), { stdout: toCount.write });
    if (input.dumpStderr && dump.child.stderr) eachLine(dump.child.stderr, input.dumpStderr);
    // What fails to start here is stdbuf; a dump tool that is missing, stdbuf reports (exit 127, on stderr).
    input.watch({ key: 'dump', label: basename(input.dump.file), tool: dump, requires: 'stdbuf' });
    return chain;
  } finally {
    // Each tool holds its own copies: the agent's must go for a reader to see the end once its writer exits.
    for (const pipe of pipes) for (const fd of [pipe.read, pipe.write]) if (fd !== handed) closeSync(fd);
  }
}
