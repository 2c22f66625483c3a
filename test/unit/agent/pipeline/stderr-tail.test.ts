// The stderr tail: bounded, line-split across chunks, labelled, and never showing a password.

import { describe, expect, it } from 'vitest';
import { redact, StderrTail } from '../../../../agent/pipeline/stderr-tail.js';

describe('redact', () => {
  it('hides the password wherever it appears', () => {
    expect(redact('auth failed for p@ss w0rd!', ['p@ss w0rd!'])).toBe('auth failed for [REDACTED]');
  });

  it.each([
    ['mysql: password=abc123 rejected', 'mysql: password=[REDACTED] rejected'],
    ['uri (password: "a b c")', 'uri (password: [REDACTED])'],
    ['PGPASSWORD=xyz; exit', 'PGPASSWORD=[REDACTED]; exit'],
    ["{'pwd': 'x'}", "{'pwd': [REDACTED]}"],
  ])('hides password-shaped values: %s', (line, expected) => {
    expect(redact(line, [])).toBe(expected);
  });
});

describe('StderrTail', () => {
  it('keeps the last lines only, joining lines split across chunks', () => {
    const tail = new StderrTail(3, []);
    tail.write(Buffer.from('one\ntw'), 'dump');
    tail.write(Buffer.from('o\nthree\n\nfour\nfi'), 'dump');
    tail.end('dump');
    expect(tail.tail).toEqual(['dump: two', 'dump: three', 'dump: four', 'dump: fi'].slice(-3));
  });

  it('bounds an endless line', () => {
    const tail = new StderrTail(20, []);
    for (let i = 0; i < 100; i++) tail.write(Buffer.alloc(10_000, 'x'), 'zstd');
    tail.end('zstd');
    expect(tail.tail).toHaveLength(1);
    expect(tail.tail[0]?.length).toBeLessThanOrEqual(510);
  });

  it('redacts the secrets it was given', () => {
    const tail = new StderrTail(5, ['hunter2']);
    tail.write(Buffer.from('Access denied (using hunter2)\n'), 'mysqldump');
    expect(tail.tail).toEqual(['mysqldump: Access denied (using [REDACTED])']);
  });
});
