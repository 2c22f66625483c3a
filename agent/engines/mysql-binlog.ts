// MySQL's and MariaDB's binary log as a dump sees it: the server's settings that say whether it keeps one and whose
// it is, and the position a --master-data=2 dump writes near its start. Pure: the commands are in mysql.ts, their
// running in agent/pipeline/binlog-start.ts.
import { type BinlogPosition, binlogFileSchema } from '../../core/protocol.js';

/** The variables read before each dump, one `name<TAB>value` line each. */
export const BINLOG_SETTINGS_SQL =
  "SHOW VARIABLES WHERE Variable_name IN ('log_bin', 'binlog_format', 'server_id', 'server_uuid', 'gtid_domain_id')";

export interface BinlogSettings {
  /** Whether the server writes a binary log at all (log_bin). */
  enabled: boolean;
  /**
   * Whether a --single-transaction dump gets its position from its own snapshot (MariaDB's Binlog_snapshot_file,
   * told by its gtid_domain_id). Oracle's MySQL takes it under FLUSH TABLES WITH READ LOCK, which needs RELOAD, a
   * grant the backup user has not: there the dump is not asked for one, so nightly backups go on as they were.
   */
  fromSnapshot: boolean;
  /** binlog_format: ROW, STATEMENT or MIXED. */
  format: string;
  /** Who writes the log: the identity a later log must still have to extend a backup. */
  server: Pick<BinlogPosition, 'serverId' | 'serverUuid' | 'gtidDomainId'>;
}

/** The settings from the client's batch output; an Error naming what is missing when it is not that. */
export function parseBinlogSettings(stdout: string): BinlogSettings {
  const values = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0) values.set(line.slice(0, tab).toLowerCase(), line.slice(tab + 1).trim());
  }
  const logBin = values.get('log_bin');
  const serverId = Number(values.get('server_id'));
  if (logBin === undefined || !Number.isInteger(serverId) || serverId < 0) {
    throw new Error('the server did not name its log_bin and server_id settings');
  }
  const uuid = values.get('server_uuid');
  const domain = Number(values.get('gtid_domain_id') ?? Number.NaN);
  return {
    enabled: logBin.toUpperCase() === 'ON' || logBin === '1',
    fromSnapshot: values.has('gtid_domain_id'),
    format: (values.get('binlog_format') ?? '').toUpperCase(),
    server: {
      serverId,
      ...(uuid && { serverUuid: uuid }),
      ...(Number.isInteger(domain) && domain >= 0 && { gtidDomainId: domain }),
    },
  };
}

/** Closes the log the server writes to, then lists its logs: `name<TAB>size` lines, oldest first, the open one last. */
export const FLUSH_AND_LIST_SQL = 'FLUSH BINARY LOGS; SHOW BINARY LOGS';

/** The logs as `SHOW BINARY LOGS` prints them in batch mode (MySQL adds a third column); an Error for anything else. */
export function parseBinaryLogs(stdout: string): { file: string; size: number }[] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [file = '', size = ''] = line.split('\t');
      if (!binlogFileSchema.safeParse(file).success || !/^\d{1,15}$/.test(size)) {
        throw new Error('the server listed its binary logs in a form the agent does not read');
      }
      return { file, size: Number(size) };
    });
}

/**
 * The commented CHANGE MASTER (MariaDB, MySQL before 8.0.23) or CHANGE REPLICATION SOURCE (MySQL since) line that
 * --master-data=2 / --source-data=2 writes: the snapshot's file and position.
 */
const POSITION_LINE =
  /^-- CHANGE (?:MASTER|REPLICATION SOURCE) TO (?:MASTER|SOURCE)_LOG_FILE='([A-Za-z0-9._-]{1,255})', (?:MASTER|SOURCE)_LOG_POS=(\d{1,19});$/;

/** The header's lines: blank, comments, and the conditional settings (`/*!40101 SET …`) every dump opens with. */
const HEADER_LINE = /^(?:$|--|\/\*)/;

/**
 * The file and position in the dump's first bytes, or undefined when they hold none. Only the header is read: a
 * trigger's body further on may hold any line, and must never be taken for the position.
 */
export function positionInHead(head: string): Pick<BinlogPosition, 'file' | 'position'> | undefined {
  for (const line of head.split('\n')) {
    const found = POSITION_LINE.exec(line);
    if (found) {
      const position = Number(found[2]);
      return Number.isSafeInteger(position) ? { file: found[1] as string, position } : undefined;
    }
    if (!HEADER_LINE.test(line)) return undefined;
  }
  return undefined;
}
