// The last bytes of a binary dump as they are, for a mark that is binary (a binary log's closing event): pv's view
// (dump-tail.ts) shows every byte that is not printable ASCII as '.', and at most 256 of them. tee copies the dump on
// to the compressor and into a pipe that coreutils' `tail -c` reads to its end, keeping only the last RAW_TAIL_BYTES,
// which it then prints to the agent: the dump still never enters the agent, and the check reads only its end.
// tee stands where pv's tail stands in a text dump's chain, so the dump is copied as often as a backup's is.

import { closeSync } from 'node:fs';
import type { DumpTail } from './dump-tail.js';
import { createOsPipe } from './os-pipe.js';
import { spawnTool } from './spawn-tool.js';
import type { StderrTail } from './stderr-tail.js';

/** A Rotate event naming a 255-character log is 19 + 8 + 255 + 4 bytes; the rest is room for the event before it. */
const RAW_TAIL_BYTES = 512;

/** Starts tee between two pipe ends and tail on tee's copy. `last` holds the bytes as latin1, one char a byte. */
export function startRawTail(stdio: { stdin: number; stdout: number }, tail: StderrTail): DumpTail {
  const copy = createOsPipe();
  let kept: Buffer = Buffer.alloc(0);
  let reader: ReturnType<typeof spawnTool>;
  let tee: ReturnType<typeof spawnTool>;
  try {
    reader = spawnTool(
      { file: 'tail', args: ['-c', String(RAW_TAIL_BYTES)], env: {}, secretFiles: [] },
      { stdin: copy.read },
    );
    // /dev/fd/3: the first descriptor after stdio, the copy's write end (spawn-tool.ts).
    tee = spawnTool(
      { file: 'tee', args: ['/dev/fd/3'], env: {}, secretFiles: [] },
      { ...stdio, extra: [copy.write] },
    );
  } finally {
    // Each tool holds its own copy: tail sees the end once tee has exited.
    closeSync(copy.read);
    closeSync(copy.write);
  }
  reader.child.stdout?.on('data', (chunk: Buffer) => {
    kept = Buffer.concat([kept, chunk]).subarray(-RAW_TAIL_BYTES);
  });
  reader.child.stderr?.on('data', (chunk: Buffer) => tail.write(chunk, 'tail'));
  tee.child.stderr?.on('data', (chunk: Buffer) => tail.write(chunk, 'tee'));
  // tail is not a stage of the chain: whatever becomes of it, tee's exit or the bytes it printed say so.
  const settled = reader.closed.then(
    () => {},
    () => {},
  );
  let done = false;
  settled.then(() => {
    done = true;
  });
  return {
    tool: tee,
    label: 'tee',
    ready: Promise.resolve(),
    settled,
    get last() {
      return done && kept.length > 0 ? kept.toString('latin1') : undefined;
    },
  };
}
