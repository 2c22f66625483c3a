// The stderr tail: bounded, line-split across chunks, labelled, and masked by the agent's redactor.

import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../../../agent/log/redact.js';
import { StderrTail } from '../../../../agent/pipeline/stderr-tail.js';

const unmasked = (text: string) => text;

describe('StderrTail', () => {
  it('keeps the last lines only, joining lines split across chunks', () => {
    const tail = new StderrTail(3, unmasked);
    tail.write(Buffer.from('one\ntw'), 'dump');
    tail.write(Buffer.from('o\nthree\n\nfour\nfi'), 'dump');
    tail.end('dump');
    expect(tail.tail).toEqual(['dump: two', 'dump: three', 'dump: four', 'dump: fi'].slice(-3));
  });

  it('bounds an endless line', () => {
    const tail = new StderrTail(20, unmasked);
    for (let i = 0; i < 100; i++) tail.write(Buffer.alloc(10_000, 'x'), 'zstd');
    tail.end('zstd');
    expect(tail.tail).toHaveLength(1);
    expect(tail.tail[0]?.length).toBeLessThanOrEqual(510);
  });

  it("masks each line with the agent's redactor, before anyone sees it", () => {
    const tail = new StderrTail(5, createRedactor(['hunter2']).redact);
    tail.write(Buffer.from('Access denied (using hunter2)\nmysql: password=abc123 rejected\n'), 'mysqldump');
    expect(tail.tail).toEqual([
      'mysqldump: Access denied (using [REDACTED])',
      'mysqldump: mysql: password=[REDACTED] rejected',
    ]);
  });
});
