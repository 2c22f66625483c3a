// Where a MySQL/MariaDB backup starts in its server's binary log, as the object's metadata records it from the agent's
// signed job record: the file and position its dump's snapshot stands at and the server that wrote the log — what
// replaying the log from this backup will start from. Absent for a server that keeps no binary log.
import type { BinlogPosition } from '../../core/protocol.js';

/** Custom metadata keys, each beside the field of the job record it comes from. */
const BINLOG_KEYS = {
  file: 'binlogFile',
  position: 'binlogPosition',
  serverId: 'binlogServerId',
  serverUuid: 'binlogServerUuid',
  gtidDomainId: 'binlogGtidDomainId',
} as const satisfies Record<keyof BinlogPosition, string>;

export function binlogMetadata(binlog: BinlogPosition): Record<string, string> {
  const entries = Object.entries(BINLOG_KEYS).flatMap(([field, key]) => {
    const value = binlog[field as keyof BinlogPosition];
    return value === undefined ? [] : [[key, String(value)]];
  });
  return Object.fromEntries(entries);
}
