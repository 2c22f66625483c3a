// The dump's last bytes, for its completion mark (engines/dump-mark.ts), without the dump entering the agent: a pv of
// its own in the chain copies the dump through (-C: a splice would move the bytes without pv seeing them) and shows
// the last DUMP_TAIL_BYTES it wrote at each display (`%256A`, every byte that is not printable ASCII as '.'). The
// counting pv cannot do it too: in numeric mode, the only one giving an exact count, pv ignores its format.
//
// pv sets its display up at its first update and records what it writes only from then on, so a dump that passed
// whole before then would show as dots: the chain starts the dump tool once `ready` has resolved.

import { basename } from 'node:path';
import { DUMP_TAIL_BYTES } from '../engines/dump-mark.js';
import { type RunningTool, spawnTool } from './spawn-tool.js';
import type { StderrTail } from './stderr-tail.js';

export interface DumpTail {
  tool: RunningTool;
  label: string;
  /** Resolves at pv's first display, from which on it records what it writes, or once pv has ended. */
  ready: Promise<void>;
  /** The dump's last bytes as pv last showed them (all of them once it has exited 0); undefined before any display. */
  readonly last: string | undefined;
  /** For a tail read once its tool has ended (raw-tail.ts): resolves when `last` is final. */
  settled?: Promise<void>;
}

/** How often pv shows the tail: also how long the dump tool waits to start. */
const INTERVAL_SECONDS = 0.1;

/**
 * Starts pv between two pipe ends. `-f`: display although stderr is not a terminal; `-w`: room for the whole tail;
 * LC_ALL=C: "printable" means printable ASCII, whatever the agent's locale. Its other lines go to the tail.
 */
export function startDumpTail(
  pv: string,
  stdio: { stdin: number; stdout: number },
  tail: StderrTail,
): DumpTail {
  const args = ['-C', '-f', '-i', String(INTERVAL_SECONDS), '-w', String(DUMP_TAIL_BYTES)];
  const command = {
    file: pv,
    args: [...args, '-F', `%${DUMP_TAIL_BYTES}A`],
    env: { LC_ALL: 'C' },
    secretFiles: [],
  };
  const tool = spawnTool(command, stdio);
  const label = basename(pv);
  let last: string | undefined;
  let shown = () => {};
  const ready = new Promise<void>((resolve) => {
    shown = resolve;
  });
  tool.closed.then(shown, shown);
  // Each display ends with a carriage return, the last with a newline; a shorter line is one of pv's messages.
  const take = (part: string) => {
    if (part.length < DUMP_TAIL_BYTES) return tail.add(part, label);
    last = part.slice(0, DUMP_TAIL_BYTES);
    shown();
  };
  let partial = '';
  tool.child.stderr?.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString('latin1')).split(/[\r\n]/);
    // A display is DUMP_TAIL_BYTES long: anything longer without an end is not pv's, and is not kept whole.
    partial = (parts.pop() ?? '').slice(0, 4 * DUMP_TAIL_BYTES);
    for (const part of parts) take(part);
  });
  tool.child.stderr?.on('end', () => take(partial));
  return {
    tool,
    label,
    ready,
    get last() {
      return last;
    },
  };
}
