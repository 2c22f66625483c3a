// The binary logs that extend a full backup: from the backup's signed start, log after log as each one's closing
// event names the next, all written by the backup's server. Pure: `verify` watches the chain, a restore to a moment
// replays it, the drill picks its moment within it, `status` says how far it reaches.
import type { ShippedLogFacts } from '../../core/binlog-protocol.js';
import { BackupError } from '../../core/errors.js';

/** Where a full backup starts in its server's log, and when its object was made (its snapshot was taken before). */
export interface ChainStart {
  file: string;
  position: number;
  serverId: number;
  takenAt: Date;
}

export type ChainProblem =
  /** A log after the chain's end was shipped, but not the one the chain needs next. */
  | { kind: 'gap'; missing: string; message: string }
  /** Logs of another server id were written after the backup. */
  | { kind: 'server-changed'; serverId: number; message: string }
  /** Logs numbered before the backup's were written after it: the numbers started over (RESET MASTER). */
  | { kind: 'restarted'; file: string; message: string };

export interface Chain<L> {
  start: ChainStart;
  /** The logs to replay, in order; the first is the start's file. */
  logs: L[];
  /** The last replayable event's time; null when no log after the backup has been shipped yet. */
  reachesTo: Date | null;
  problems: ChainProblem[];
}

const NUMBERED = /^(.*)\.(\d+)$/;

/** `binlog.000042` as its base and number; the number null for a name the server would not give. */
function numbered(file: string): { base: string; number: number | null } {
  const found = NUMBERED.exec(file);
  return found ? { base: found[1] as string, number: Number(found[2]) } : { base: file, number: null };
}

/** The log a server opens after `file`, as it does on restart: the number one up, at least as wide. */
export function followingLog(file: string): string | undefined {
  const found = NUMBERED.exec(file);
  if (!found) return undefined;
  const digits = found[2] as string;
  return `${found[1]}.${String(Number(digits) + 1).padStart(digits.length, '0')}`;
}

/** Whether `file` is of the same series as `than` and numbered after it (before it, with `before`). */
function isAfter(file: string, than: string, before = false): boolean {
  const a = numbered(file);
  const b = numbered(than);
  if (a.base !== b.base || a.number === null || b.number === null) return false;
  return before ? a.number < b.number : a.number > b.number;
}

/**
 * What to do when a database's chain is broken or its logs lost, `<database>` to be named by `forDatabase`. --force:
 * after the nightly run today's backup already exists, and a run without it answers `exists` and writes nothing, so
 * the chain would stay on the old backup's start.
 */
export const TAKE_A_BACKUP = 'take a full backup now (db-backup run --force <database>)';

/** `message` with the database it speaks of named where it says `<database>`. */
export function forDatabase(message: string, database: string): string {
  return message.replaceAll('<database>', database);
}

const START_A_CHAIN = `${TAKE_A_BACKUP} to start a new chain`;

export function followChain<L extends { facts: ShippedLogFacts }>(
  start: ChainStart,
  shipped: readonly L[],
): Chain<L> {
  const ours = shipped.filter((log) => log.facts.serverId === start.serverId);
  const byFile = new Map<string, L>();
  for (const log of ours) if (!byFile.has(log.facts.file)) byFile.set(log.facts.file, log);
  const logs: L[] = [];
  let wanted: string | undefined = start.file;
  while (wanted !== undefined) {
    const log = byFile.get(wanted);
    // A log naming one already followed would loop: the chain ends there.
    if (!log || logs.includes(log)) break;
    logs.push(log);
    wanted = log.facts.ending === 'rotate' ? log.facts.next : followingLog(log.facts.file);
  }
  const last = logs.at(-1);
  const problems: ChainProblem[] = [];
  const after = (log: L) => new Date(log.facts.firstEventAt) > start.takenAt;
  if (wanted !== undefined && ours.some((log) => isAfter(log.facts.file, wanted as string))) {
    problems.push({
      kind: 'gap',
      missing: wanted,
      message: `the binary log ${wanted} was never shipped, though later ones were: the chain breaks there; ${START_A_CHAIN}`,
    });
  }
  const restarted = ours.find((log) => isAfter(log.facts.file, start.file, true) && after(log));
  if (restarted) {
    problems.push({
      kind: 'restarted',
      file: restarted.facts.file,
      message: `the server's binary logs started over (${restarted.facts.file} was written after the backup, which starts in ${start.file}); ${START_A_CHAIN}`,
    });
  }
  const stranger = shipped.find((log) => log.facts.serverId !== start.serverId && after(log));
  if (stranger) {
    problems.push({
      kind: 'server-changed',
      serverId: stranger.facts.serverId,
      message: `binary logs of server id ${stranger.facts.serverId} were written after the backup of server id ${start.serverId}: the server's identity changed; ${START_A_CHAIN}`,
    });
  }
  return { start, logs, reachesTo: last ? new Date(last.facts.lastEventAt) : null, problems };
}

/** The logs a restore to `moment` replays: the chain's, up to the first whose last event is at or after it. */
export function logsUpTo<L extends { facts: ShippedLogFacts }>(chain: Chain<L>, moment: Date): L[] {
  if (chain.reachesTo === null || moment > chain.reachesTo) {
    const reach = chain.reachesTo
      ? `reach only to ${chain.reachesTo.toISOString()}`
      : 'have not been shipped yet';
    throw new BackupError(
      'PITR_UNREACHABLE',
      `${moment.toISOString()} cannot be reached: the binary logs after the backup starting in ${chain.start.file} ${reach}`,
    );
  }
  const through = chain.logs.findIndex((log) => new Date(log.facts.lastEventAt) >= moment);
  return chain.logs.slice(0, through + 1);
}
