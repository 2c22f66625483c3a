// How far a pointInTime database can be restored to a moment, from signed facts alone: the chain of attested logs
// from its newest checked backup's attested start, the recovery point it achieves (now minus how far it reaches),
// and the first problem, worded with what to do. `verify` alerts it; `status` shows it.
import type { Bucket } from '@google-cloud/storage';
import type { ErrorCode } from '../../core/errors.js';
import type { FunctionConfig, Target } from '../config/schema.js';
import { isVerified } from '../object/good-backup.js';
import { type BackupStart, backupStarts } from './backup-starts.js';
import { type ChainProblem, followChain, forDatabase, TAKE_A_BACKUP } from './chain.js';
import { isProven, listShippedLogs, type ShippedLog } from './shipped-logs.js';

export interface ChainState {
  /** The newest checked backup the chain starts from. */
  backup: string;
  /** The log and position it starts in; absent when the backup records none. */
  start?: { file: string; position: number; serverId: number };
  /** How many shipped logs the chain follows. */
  logs: number;
  /** The last of them: where the chain ends. */
  end?: string;
  /** The latest moment a restore can reach: the chain's last event, or the backup itself before any log. */
  reachesTo: string;
  /** Now minus `reachesTo`, in whole minutes: the recovery point achieved. */
  lagMinutes: number;
  problem?: { code: ErrorCode; message: string };
}

const CODES: Record<ChainProblem['kind'], ErrorCode> = {
  gap: 'BINLOG_GAP',
  'server-changed': 'BINLOG_SERVER_CHANGED',
  restarted: 'BINLOG_RESTARTED',
};

/** A gap at a log the bucket holds is a log changed since it was shipped, not one never shipped. */
function problemOf(problem: ChainProblem, logs: readonly ShippedLog[]): NonNullable<ChainState['problem']> {
  const held = problem.kind === 'gap' && logs.find((log) => log.file === problem.missing && !isProven(log));
  if (!held) return { code: CODES[problem.kind], message: problem.message };
  const message = `${held.info.name} is in the bucket, but its attestation does not hold (it was changed or replaced after it was shipped): the chain breaks there; ${TAKE_A_BACKUP}`;
  return { code: 'BINLOG_GAP', message };
}

/** Pure: the state of the chain from `newest` through `logs` at `now`, judged against `rpoMinutes`. */
function judgeChain(
  database: string,
  newest: BackupStart,
  logs: readonly ShippedLog[],
  now: Date,
  rpoMinutes: number,
): ChainState {
  const { backup, start } = newest;
  const lagSince = (at: Date) => Math.floor((now.getTime() - at.getTime()) / 60_000);
  const takenAt = new Date(backup.info.timeCreated);
  const base = {
    backup: backup.info.name,
    logs: 0,
    reachesTo: takenAt.toISOString(),
    lagMinutes: lagSince(takenAt),
  };
  const act = forDatabase(TAKE_A_BACKUP, database);
  if (!start) {
    const message = `${backup.info.name} records no binary-log position: binary logging was off on its server when it was dumped; start the server with log_bin and binlog_format=ROW, then ${act}`;
    return { ...base, problem: { code: 'BINLOG_START_MISSING', message } };
  }
  const chain = followChain(start, logs.filter(isProven));
  const reachesTo = chain.reachesTo && chain.reachesTo > takenAt ? chain.reachesTo : takenAt;
  const state: ChainState = {
    ...base,
    start: { file: start.file, position: start.position, serverId: start.serverId },
    logs: chain.logs.length,
    ...(chain.logs.length > 0 && { end: chain.logs.at(-1)?.file }),
    reachesTo: reachesTo.toISOString(),
    lagMinutes: lagSince(reachesTo),
  };
  const [first] = chain.problems;
  if (first) {
    const problem = problemOf(first, logs);
    return { ...state, problem: { ...problem, message: forDatabase(problem.message, database) } };
  }
  if (state.lagMinutes > rpoMinutes) {
    const message = `the shipped binary logs reach only to ${state.reachesTo}, ${state.lagMinutes} minutes ago; the recovery-point target is ${rpoMinutes} minutes: see the binlogs function's runs and the agent's log`;
    return { ...state, problem: { code: 'BINLOG_STALE', message } };
  }
  return state;
}

/** The chain of `target` now; null when it has no checked backup within the window to start from. */
export async function chainState(
  bucket: Bucket,
  config: FunctionConfig,
  target: Target,
  now: Date,
): Promise<ChainState | null> {
  const newest = (await backupStarts(bucket, config, target, now)).find(({ backup }) =>
    isVerified(backup.info),
  );
  if (!newest) return null;
  const logs = await listShippedLogs(bucket, config, target.database);
  return judgeChain(target.database, newest, logs, now, config.rpoMinutes);
}
