// The pipe between two tools: a kernel pipe (which pv can splice), blocking at both ends, with no name left behind.

import { closeSync, constants, fstatSync, readdirSync, readFileSync, readSync, writeSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createOsPipe } from '../../../../agent/pipeline/os-pipe.js';

const leftovers = () => readdirSync('/dev/shm').filter((name) => name.startsWith('db-backup-'));

describe('createOsPipe', () => {
  it('gives both ends of one FIFO whose name is already gone', () => {
    const before = leftovers();
    const pipe = createOsPipe();
    try {
      expect(fstatSync(pipe.read).isFIFO()).toBe(true);
      expect(fstatSync(pipe.write).ino).toBe(fstatSync(pipe.read).ino);
      expect(leftovers()).toEqual(before);
    } finally {
      closeSync(pipe.read);
      closeSync(pipe.write);
    }
  });

  it('carries bytes, and its reader sees the end once the writer is closed', () => {
    const pipe = createOsPipe();
    try {
      writeSync(pipe.write, 'dump bytes');
      closeSync(pipe.write);
      const buffer = Buffer.alloc(64);
      expect(buffer.toString('utf8', 0, readSync(pipe.read, buffer))).toBe('dump bytes');
      // A non-blocking end would throw EAGAIN here rather than report the end.
      expect(readSync(pipe.read, buffer)).toBe(0);
    } finally {
      closeSync(pipe.read);
    }
  });

  it('opens both ends blocking, as a tool reading its stdin expects', () => {
    const pipe = createOsPipe();
    try {
      for (const fd of [pipe.read, pipe.write]) {
        const flags = /^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1];
        expect(Number.parseInt(flags ?? 'NaN', 8) & constants.O_NONBLOCK).toBe(0);
      }
    } finally {
      closeSync(pipe.read);
      closeSync(pipe.write);
    }
  });
});
