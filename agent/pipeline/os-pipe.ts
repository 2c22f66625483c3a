// A kernel pipe between two tools. Node gives its children socket pairs for stdio, and pv can only splice(2) bytes
// from pipe to pipe without copying them; Node has no call that makes a pipe, so a FIFO is made in a private dir
// (mkfifo, from coreutils), opened at both ends and unlinked at once: what remains is an anonymous pipe.
import { spawnSync } from 'node:child_process';
import { closeSync, constants, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { privateDir } from './private-dir.js';

export interface OsPipe {
  read: number;
  write: number;
}

export function createOsPipe(): OsPipe {
  const dir = privateDir();
  try {
    const path = join(dir, 'pipe');
    const made = spawnSync('mkfifo', ['-m', '600', path], { encoding: 'utf8' });
    if (made.status !== 0) {
      throw new Error(`cannot make a pipe: mkfifo ${made.error?.message ?? made.stderr.trim()}`);
    }
    // Opening one end of a FIFO blocks until the other is open: a non-blocking reader first lets the writer open at
    // once, and then a blocking reader too. The tools must get blocking ends, so the first reader is closed again.
    const opener = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const write = openSync(path, constants.O_WRONLY);
      return { read: openSync(path, constants.O_RDONLY), write };
    } finally {
      closeSync(opener);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
