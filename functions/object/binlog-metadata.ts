// Where a MySQL/MariaDB backup starts in its server's binary log, as the object's metadata records it from the agent's
// signed job record: the file and position its dump's snapshot stands at and the server that wrote the log — what
// replaying the log from this backup will start from. Absent for a server that keeps no binary log. Believed only
// where the object's attestation covers it (attestation.ts).
import { type BinlogPosition, binlogPositionSchema } from '../../core/protocol.js';

/** Custom metadata keys, each beside the field of the job record it comes from. */
const BINLOG_KEYS = {
  file: 'binlogFile',
  position: 'binlogPosition',
  serverId: 'binlogServerId',
  serverUuid: 'binlogServerUuid',
  gtidDomainId: 'binlogGtidDomainId',
} as const satisfies Record<keyof BinlogPosition, string>;

/**
 * The position's keys as a metadata write: each field the job recorded, and a removal of each it did not that the
 * object `carries`, so that what the attestation signs beside them is the job's word alone.
 */
export function binlogMetadata(
  binlog: BinlogPosition | undefined,
  carries: Readonly<Record<string, string>> = {},
): Record<string, string | null> {
  const entries = Object.entries(BINLOG_KEYS).flatMap(([field, key]): [string, string | null][] => {
    const value = binlog?.[field as keyof BinlogPosition];
    if (value !== undefined) return [[key, String(value)]];
    return key in carries ? [[key, null]] : [];
  });
  return Object.fromEntries(entries);
}

/** Where the backup whose metadata this is starts in its server's binary log; null when it records no (valid) one. */
export function binlogPositionOf(metadata: Readonly<Record<string, string | null>>): BinlogPosition | null {
  const entries = Object.entries(BINLOG_KEYS).flatMap(([field, key]) => {
    const value = metadata[key];
    // A key written as null is one the write removed.
    if (value === undefined || value === null) return [];
    return [[field, field === 'file' || field === 'serverUuid' ? value : Number(value)]];
  });
  const parsed = binlogPositionSchema.safeParse(Object.fromEntries(entries));
  return parsed.success ? parsed.data : null;
}
