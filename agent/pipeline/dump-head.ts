// The dump's first bytes, for what a dump tool writes only at its start (mysqldump's binary-log position, which
// --master-data=2 puts in the first few KiB), without the rest of the dump entering the agent. `head -c` takes exactly
// DUMP_HEAD_BYTES from the dump's pipe and hands them to the agent, which passes them on into a pipe of their own;
// the counting pv reads that pipe first and then, from the very pipe head read, the rest of the dump (pv reads its
// files in order, as cat does). So the head passes through the agent once, and the rest from tool to tool as before.
// Why not the alternatives: tee would copy every byte once more in 8 KiB pieces (BUFSIZ), waking the pvs as often as
// the unbuffered dump would (README's benchmark notes); the tail pv shows only the last bytes it moved; and reading the
// dump's pipe from Node would block a thread of libuv's pool for as long as the dump tool writes nothing.

import { createWriteStream } from 'node:fs';
import { type RunningTool, spawnTool } from './spawn-tool.js';

/** How much of the dump the agent sees: the position line comes after about 1 KiB of header; it fits any pipe. */
const DUMP_HEAD_BYTES = 16 * 1024;

export interface DumpHead {
  tool: RunningTool;
  label: string;
  /**
   * Resolves with the bytes head took (fewer for a shorter dump) once they are all passed on to pv; rejects when they
   * were not, and the dump that left the VM lacks some of them.
   */
  bytes: Promise<Buffer>;
}

/**
 * Starts head on the dump's pipe (`stdin`); what it prints goes to the agent and on into `forward`, the write end of
 * the pipe the counting pv reads first. `forward` is the head's own to close: only its end lets pv go on to the rest.
 */
export function startDumpHead(stdin: number, forward: number): DumpHead {
  const tool = spawnTool(
    { file: 'head', args: ['-c', String(DUMP_HEAD_BYTES)], env: {}, secretFiles: [] },
    { stdin },
  );
  // A pv that died makes this an EPIPE, and pv's own exit the failure; whatever the cause, `bytes` rejects below.
  const sink = createWriteStream('', { fd: forward }).on('error', () => {});
  const chunks: Buffer[] = [];
  const closed = new Promise<void>((resolve) => sink.once('close', resolve));
  // Once head's output has ended (its stdio closes before `closed` settles) and the pipe to pv is closed too.
  const bytes = Promise.allSettled([tool.closed, closed]).then(() => {
    const head = Buffer.concat(chunks);
    // pv goes on to the rest of the dump whenever this pipe closes: bytes not passed on would be missing from it.
    if (sink.writableFinished && sink.bytesWritten === head.length) return head;
    throw new Error(`the agent passed on ${sink.bytesWritten} of the dump's first ${head.length} bytes`);
  });
  // Read only after a backup whose tools all succeeded; a failed one has its failure already.
  bytes.catch(() => {});
  const stdout = tool.child.stdout;
  if (stdout) {
    stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    stdout.pipe(sink);
  } else {
    sink.end();
  }
  // A head that never started has no stdout to end: the pipe is closed all the same.
  tool.closed.catch(() => sink.destroy());
  return { tool, label: 'head', bytes };
}
