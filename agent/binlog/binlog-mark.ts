// A shipped binary log is whole only when its own bytes say so, as a dump is by its mark (DESIGN 15): mariadb-binlog
// wrote exactly the size the server listed, the head is a log's (magic, Format_description), and the last event is
// the Rotate or Stop event that closes the log at that size. What the two ends say becomes the log's facts.
import type { ShipResult } from '../../core/binlog-protocol.js';
import type { DumpMark, MarkCheck } from '../engines/dump-mark.js';
import { type LogHead, readLogEnding, readLogHead } from './log-events.js';

export type ShippedLogFacts = NonNullable<ShipResult['log']>;

export interface BinlogMark extends DumpMark {
  /** The log's facts, once the check found it whole; undefined before, or when it is not. */
  facts(): ShippedLogFacts | undefined;
}

/** The mark of one log, `file` of `size` bytes as SHOW BINARY LOGS listed it; one check, for one shipping. */
export function binlogMark(file: string, size: number): BinlogMark {
  let head: LogHead | undefined;
  let facts: ShippedLogFacts | undefined;
  const notWhole = (why: string) => `what it wrote of ${file} is not whole: ${why}`;
  const check: MarkCheck = {
    code: 'BINLOG_INCOMPLETE',
    head(bytes) {
      const read = readLogHead(bytes);
      if (typeof read === 'string') return notWhole(read);
      head = read;
      return undefined;
    },
    verdict(tail, bytes) {
      if (bytes !== size) return `it wrote ${bytes} bytes of ${file}, which the server lists at ${size}`;
      if (!head) return notWhole('its head was not read');
      // The tail is the raw tail's (raw-tail.ts): one latin1 char a byte.
      const ending = readLogEnding(Buffer.from(tail, 'latin1'), size, head.checksums);
      if (typeof ending === 'string') return notWhole(ending);
      if (ending.serverId !== head.serverId) {
        return notWhole(`its last event is server ${ending.serverId}'s, its first server ${head.serverId}'s`);
      }
      facts = {
        file,
        size,
        serverId: head.serverId,
        firstEventAt: head.openedAt.toISOString(),
        lastEventAt: ending.closedAt.toISOString(),
        ending: ending.ending,
        ...(ending.next !== undefined && { next: ending.next }),
      };
      return undefined;
    },
  };
  return { check: () => check, facts: () => facts };
}
