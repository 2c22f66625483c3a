// A binary log's two ends, read from real logs MariaDB 10.11 wrote (server_id 7, CRC32 checksums): binlog.000001
// (1807 bytes) and binlog.000002 (593 bytes), each closed by FLUSH BINARY LOGS; and those bytes cut or altered.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readLogEnding, readLogHead } from '../../../../agent/binlog/log-events.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name));
const first = fixture('binlog.000001');
const second = fixture('binlog.000002');
const TAIL = 512;
const tailOf = (log: Buffer) => log.subarray(Math.max(0, log.length - TAIL));

describe('the head of a binary log', () => {
  it('names its server, when it was opened and that its events carry checksums', () => {
    const head = readLogHead(first);
    expect(head).toEqual({ serverId: 7, openedAt: expect.any(Date), checksums: true });
    // The second log was opened by the flush that closed the first, at the first's closing time.
    const closing = readLogEnding(tailOf(first), first.length, true);
    expect((readLogHead(second) as { openedAt: Date }).openedAt).toEqual(
      (closing as { closedAt: Date }).closedAt,
    );
  });

  it('refuses bytes that are not a log, or a log cut inside its Format_description event', () => {
    expect(readLogHead(Buffer.from('-- MariaDB dump'))).toBe(
      'it does not start with the binary log magic number',
    );
    expect(readLogHead(first.subarray(0, 12))).toBe('it ends inside its first event');
    expect(readLogHead(first.subarray(0, 100))).toBe('it ends inside its Format_description event');
  });

  it('refuses a Format_description event whose checksum does not hold', () => {
    const altered = Buffer.from(first);
    altered[30] = (altered[30] ?? 0) ^ 0x01;
    expect(readLogHead(altered)).toBe("its Format_description event's checksum does not hold");
  });

  it('refuses a log whose first event is another', () => {
    const altered = Buffer.from(first);
    altered[8] = 2;
    expect(readLogHead(altered)).toBe('its first event is of type 2, not a Format_description event');
  });
});

describe('the closing event of a binary log', () => {
  it('is the Rotate event naming the next log, written when the log was closed', () => {
    for (const [log, next] of [
      [first, 'binlog.000002'],
      [second, 'binlog.000003'],
    ] as const) {
      const ending = readLogEnding(tailOf(log), log.length, true);
      expect(ending).toEqual({ ending: 'rotate', serverId: 7, closedAt: expect.any(Date), next });
    }
  });

  it('is found in a whole log shorter than the tail, and after the open time', () => {
    const ending = readLogEnding(second, second.length, true) as { closedAt: Date };
    const head = readLogHead(second) as { openedAt: Date };
    expect(ending.closedAt.getTime()).toBeGreaterThanOrEqual(head.openedAt.getTime());
  });

  it('is missing from a log cut short, or of another size than the one asked for', () => {
    const why = 'its last bytes do not end with a Rotate or Stop event that closes the log at its size';
    const cut = first.subarray(0, first.length - 10);
    expect(readLogEnding(tailOf(cut), cut.length, true)).toBe(why);
    expect(readLogEnding(tailOf(first), first.length + 1, true)).toBe(why);
    // A log cut right after an event that is not a closing one.
    const earlier = first.subarray(0, first.length - 44);
    expect(readLogEnding(tailOf(earlier), earlier.length, true)).toBe(why);
  });

  it('is refused when its checksum does not hold', () => {
    const altered = Buffer.from(second);
    altered[altered.length - 8] = (altered[altered.length - 8] ?? 0) ^ 0x01;
    expect(readLogEnding(altered, altered.length, true)).toBe(
      'its last bytes do not end with a Rotate or Stop event that closes the log at its size',
    );
  });

  it('is a Stop event when the server shut down, with no next log', () => {
    // The log as a shutdown would have closed it: the Rotate event replaced by a Stop event (header and checksum).
    const at = second.length - 44;
    const stop = Buffer.alloc(23);
    second.copy(stop, 0, at, at + 19);
    stop[4] = 3;
    stop.writeUInt32LE(23, 9);
    stop.writeUInt32LE(at + 23, 13);
    stop.writeUInt32LE(crc32(stop.subarray(0, 19)), 19);
    const log = Buffer.concat([second.subarray(0, at), stop]);
    expect(readLogEnding(tailOf(log), log.length, true)).toEqual({
      ending: 'stop',
      serverId: 7,
      closedAt: expect.any(Date),
    });
  });
});
