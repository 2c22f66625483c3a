// Counts the dump's bytes on their way from the dump tool to a compressor process, without the agent relaying them.
// pv moves them from pipe to pipe in the kernel (splice) and prints its running total; no library can count bytes
// that never enter this process, and relaying them through it cost more CPU than the compressor.

import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { type RunningTool, spawnTool } from './spawn-tool.js';
import type { StderrTail } from './stderr-tail.js';

export interface DumpMeter {
  tool: RunningTool;
  label: string;
  /** Bytes that passed so far, as pv last reported; all of them once pv has exited 0. */
  readonly bytes: number;
}

/**
 * Starts pv between two pipe ends. `-n -b`: the byte total alone, one integer per line; `-f`: even though stderr is
 * not a terminal; `-i 1`: once a second, and once more as it exits. Any other line pv writes goes to the tail.
 * With `first` (the read end of the pipe dump-head.ts fills with the dump's first bytes), pv reads that to its end
 * before its stdin, which holds the rest of the dump: it counts, and passes on, the whole dump in order.
 */
export function startDumpMeter(
  pv: string,
  stdio: { stdin: number; stdout: number; first?: number },
  tail: StderrTail,
): DumpMeter {
  const { first, ...ends } = stdio;
  const files = first === undefined ? [] : ['/dev/fd/3', '-'];
  const tool = spawnTool(
    { file: pv, args: ['-n', '-b', '-f', '-i', '1', ...files], env: {}, secretFiles: [] },
    { ...ends, ...(first !== undefined && { extra: [first] }) },
  );
  const label = basename(pv);
  let bytes = 0;
  if (tool.child.stderr) {
    createInterface({ input: tool.child.stderr }).on('line', (line) => {
      if (/^\d+$/.test(line)) bytes = Number(line);
      else tail.add(line, label);
    });
  }
  return {
    tool,
    label,
    get bytes() {
      return bytes;
    },
  };
}
