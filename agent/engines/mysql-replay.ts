// Replaying a shipped binary log into a MariaDB scratch database: the mariadb-binlog command that turns the raw log
// into SQL for the mysql client, the rule that admits exactly what mariadb-binlog writes, and the watch that reads
// from its event headers the last transaction it let through. Pure but for the watch's own record.
import { ClientCommandFilter, type CommandRule, firstByte } from './client-commands.js';
import type { RestoreStep } from './restore-engine.js';

/** One log of a replay: where in it to start (the first log only) and the moment to stop at. */
export interface ReplayLog {
  /** The database the log was written to; its changes go to the scratch database. */
  database: string;
  /** The backup's position in the first log; the others are read from their start. */
  startPosition?: number;
  stopAt: Date;
}

/** `YYYY-MM-DD HH:MM:SS` in UTC: mariadb-binlog reads --stop-datetime in its own zone, which is set to UTC. */
function utcDatetime(moment: Date): string {
  return moment.toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * mariadb-binlog reading the raw log on stdin. --verify-binlog-checksum: a log altered after the server wrote it (its
 * events carry CRC32s) fails here rather than replaying damaged rows. --database and --rewrite-db: only the source
 * database's changes are written, renamed into the scratch database, which ROW format makes exact (each row event
 * names its table's database). --stop-datetime stops at the first event stamped at that second or later, and ends
 * a transaction cut there with ROLLBACK. TZ=UTC makes both that option and the times it prints UTC.
 */
export function binlogReplayCommand(toolPath: string, scratch: string, log: ReplayLog): RestoreStep {
  return {
    file: toolPath,
    args: [
      '--no-defaults',
      '--verify-binlog-checksum',
      ...(log.startPosition === undefined ? [] : [`--start-position=${log.startPosition}`]),
      `--stop-datetime=${utcDatetime(log.stopAt)}`,
      `--database=${log.database}`,
      `--rewrite-db=${log.database}->${scratch}`,
      '-',
    ],
    env: { TZ: 'UTC' },
    secretFiles: [],
  };
}

/** The two DELIMITER lines mariadb-binlog writes: its own `/*!*\/;` delimiter at the start, `;` again at the end. */
const DELIMITERS = new Set(['DELIMITER /*!*/;', 'DELIMITER ;']);
const DELIMITER_OPENING = /^\s*delimiter(?:\s|$)/i;
/**
 * The session settings by which mariadb-binlog gives each transaction its original GTID and server id. Replayed,
 * they would write the source's GTIDs a second time into the binary log of the server holding the scratch
 * database — usually the source server itself — duplicating them (and failing under gtid_strict_mode). Dropped,
 * the server numbers the replayed transactions as its own, as it does the restored dump's.
 */
const IDENTITY =
  /^\/\*M!100001 SET @@session\.(?:gtid_domain_id|server_id|gtid_seq_no)=\d+\*\/\/\*!\*\/;\r?$/;

/**
 * What reaches the client from mariadb-binlog: its two DELIMITER lines pass (the client reads them as commands even
 * with --binary-mode, so any other is refused: nothing but mariadb-binlog's own may change how statements end), its
 * identity settings are dropped, and everything else is judged by the rule for dumps (`\x` commands, `system`).
 * Row changes come as BINLOG '<base64>' and the statements the log holds (DDL) as written, so a line opening with
 * a client command can only be a statement's own text — refused, as in a dump.
 */
export function replayRule(dumpRule: CommandRule): CommandRule {
  return {
    judge(opening, whole) {
      const first = firstByte(opening);
      if (first === 0x2f && whole && IDENTITY.test(opening.toString('latin1'))) return 'drop';
      if (first === 0x44 || first === 0x64) {
        const text = opening.toString('latin1');
        if (DELIMITER_OPENING.test(text)) {
          return whole && DELIMITERS.has(text.replace(/\r$/, ''))
            ? 'pass'
            : { refuse: 'a DELIMITER line mariadb-binlog does not write' };
        }
      }
      return dumpRule.judge(opening, whole);
    },
  };
}

/** The last transaction that passed: its commit event's time (UTC, whole seconds) and end position in its log. */
export interface AppliedTransaction {
  at: string;
  endPosition: number;
}

/** `#261207 23:13:36 server id 7  end_log_pos 560 CRC32 0xa7e1459a \tXid = 10`: mariadb-binlog's event header. */
const HEADER =
  /^#(\d\d)(\d\d)(\d\d) +(\d{1,2}):(\d\d):(\d\d) server id \d+ +end_log_pos (\d+)(?: CRC32 0x[0-9a-f]+)? *\t(GTID|Xid|Query|Table_map|Write_rows|Update_rows|Delete_rows)/;

/**
 * Follows mariadb-binlog's event headers as its output passes: a transaction counts once its commit (Xid) header
 * passed and it changed the database (a row event, or a statement, was written — mariadb-binlog also writes empty
 * transactions for other databases' changes); a DDL statement counts on its own. Only line openings are read.
 */
export class TransactionWatch implements CommandRule {
  last: AppliedTransaction | undefined;
  private touched = false;
  private ddl = false;

  judge(opening: Buffer): 'pass' {
    if (opening[0] !== 0x23) return 'pass';
    const text = opening.toString('latin1');
    const match = HEADER.exec(text);
    if (!match) return 'pass';
    const [, yy, mo, dd, hh, mi, ss, end, kind] = match;
    const at = `20${yy}-${mo}-${dd}T${hh?.padStart(2, '0')}:${mi}:${ss}Z`;
    const done = () => {
      this.last = { at, endPosition: Number(end) };
    };
    if (kind === 'GTID') {
      this.touched = false;
      this.ddl = / ddl\s*$/.test(text);
    } else if (kind === 'Xid') {
      if (this.touched) done();
    } else if (kind === 'Query' && this.ddl) done();
    else this.touched = true;
    return 'pass';
  }

  /** Its place among a replay's filters. */
  filter(): ClientCommandFilter {
    return new ClientCommandFilter(this);
  }
}
