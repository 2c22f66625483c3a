// The mark of a shipped binary log, judged on a real log's two ends (MariaDB 10.11, server_id 7): whole only at the
// size the server listed, with a log's head, and a closing event of the same server; then its facts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { binlogMark } from '../../../../agent/binlog/binlog-mark.js';

const log = readFileSync(join(import.meta.dirname, 'fixtures', 'binlog.000002'));
const latin1 = (bytes: Buffer) => bytes.toString('latin1');

function judge(bytes: Buffer, size = bytes.length) {
  const mark = binlogMark('binlog.000002', size);
  const check = mark.check();
  const head = check.head?.(bytes.subarray(0, 16 * 1024));
  const verdict = head ?? check.verdict(latin1(bytes.subarray(-512)), bytes.length);
  return { verdict, facts: mark.facts(), code: check.code };
}

describe("a shipped log's mark", () => {
  it('holds for the whole log, whose facts are its events', () => {
    const { verdict, facts, code } = judge(log);
    expect(code).toBe('BINLOG_INCOMPLETE');
    expect(verdict).toBeUndefined();
    expect(facts).toEqual({
      file: 'binlog.000002',
      size: 593,
      serverId: 7,
      firstEventAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      lastEventAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      ending: 'rotate',
      next: 'binlog.000003',
    });
  });

  it('fails a count other than the size the server listed, naming both', () => {
    expect(judge(log, 600).verdict).toBe(
      'it wrote 593 bytes of binlog.000002, which the server lists at 600',
    );
    expect(judge(log, 600).facts).toBeUndefined();
  });

  it('fails bytes that are not a log, before their end is read', () => {
    const { verdict, facts } = judge(Buffer.concat([Buffer.from('xxxx'), log.subarray(4)]));
    expect(verdict).toBe(
      'what it wrote of binlog.000002 is not whole: it does not start with the binary log magic number',
    );
    expect(facts).toBeUndefined();
  });

  it("fails a closing event of another server than the log's first event", () => {
    const other = Buffer.from(log);
    const at = other.length - 44;
    other.writeUInt32LE(8, at + 5);
    other.writeUInt32LE(crc32(other.subarray(at, other.length - 4)), other.length - 4);
    expect(judge(other).verdict).toBe(
      "what it wrote of binlog.000002 is not whole: its last event is server 8's, its first server 7's",
    );
  });
});
