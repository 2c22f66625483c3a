import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createSyslogSender, journalLine } from '../../../../agent/log/syslog.js';

describe('syslog through the journal', () => {
  it('prefixes each line with its sd-daemon priority and keeps it on one line', () => {
    expect(journalLine('err', '{"event":"job.failed"}')).toBe('<3>{"event":"job.failed"}\n');
    expect(journalLine('warning', 'a')).toBe('<4>a\n');
    expect(journalLine('info', 'two\nlines')).toBe('<6>two lines\n');
  });

  it('writes to its stream, in order, without starting anything', async () => {
    const stream = new PassThrough();
    const chunks: string[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
    const send = createSyslogSender(stream);
    send('info', 'one');
    send('err', 'two');
    stream.end();
    await new Promise((resolve) => stream.on('end', resolve));
    expect(chunks.join('')).toBe('<6>one\n<3>two\n');
  });

  it('reports a failing stream instead of throwing', async () => {
    const errors: Error[] = [];
    const broken = new Writable({
      write: (_chunk, _encoding, callback) => callback(new Error('EPIPE: stdout closed')),
    });
    const send = createSyslogSender(broken, (error) => errors.push(error));
    expect(() => send('err', 'line')).not.toThrow();
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors.map((error) => error.message)).toEqual(['EPIPE: stdout closed']);
  });
});
