// What a restore to a moment reads: the newest proven backup of the database that records where it starts in its
// server's binary log and was made before the moment, and the attested shipped logs from that start on up to the
// moment (functions/binlog/chain.ts). Positions and chains come only from objects the function attested.
import { randomInt } from 'node:crypto';
import { BackupError } from '../../core/errors.js';
import { localMoment } from '../../core/local-moment.js';
import { attestedStart } from '../binlog/backup-starts.js';
import { type ChainStart, followChain, forDatabase, logsUpTo } from '../binlog/chain.js';
import { isProven, listShippedLogs, type ProvenLog } from '../binlog/shipped-logs.js';
import type { Target } from '../config/schema.js';
import { listProvenBackups, reportUnproven } from '../object/proven-backups.js';
import type { RunContext } from '../run/run-context.js';
import { type ChosenBackup, usable } from './choose-backup.js';

/** A log a restore replays: proven, and with the hashes its download is checked against. */
type ReplayedLog = ProvenLog & { info: ChosenBackup['info'] };

export interface PointInTime {
  backup: ChosenBackup;
  start: ChainStart;
  /** In order, the first holding the backup's start. */
  logs: ReplayedLog[];
}

/**
 * The database's logs the function shipped and attested, of every server (so that the chain sees a server whose
 * identity changed); any other object there is left out.
 */
async function shippedLogs(ctx: RunContext, target: Target): Promise<ReplayedLog[]> {
  const logs = await listShippedLogs(ctx.bucket, ctx.config, target.database);
  return logs.filter((log): log is ReplayedLog => isProven(log) && !!log.info.crc32c && !!log.info.md5Hash);
}

/** The proven backups whose attestation covers where they start in the binary log, newest made first. */
async function positionedBackups(ctx: RunContext, target: Target, now: Date): Promise<ChosenBackup[]> {
  const { proven, unproven } = await listProvenBackups(ctx.bucket, ctx.config, target, now);
  reportUnproven(ctx.deps.logger, unproven, {
    runId: ctx.runId,
    targetId: target.id,
    database: target.database,
  });
  return proven
    .filter((backup) => usable(backup.info) && attestedStart(ctx.config, backup.info) !== null)
    .sort((a, b) => Date.parse(b.info.timeCreated) - Date.parse(a.info.timeCreated)) as ChosenBackup[];
}

/** The chain of shipped logs from a positioned backup's start. */
async function chainOf(ctx: RunContext, target: Target, backup: ChosenBackup) {
  const start = attestedStart(ctx.config, backup.info) as ChainStart;
  return followChain(start, await shippedLogs(ctx, target));
}

/**
 * The drill's moment: a whole second picked at random after the oldest backup a moment can be restored from, up to
 * how far the newest one's logs reach — so that over the weeks every backup the window keeps, and its logs, is tried.
 */
export async function drillMoment(
  ctx: RunContext,
  target: Target,
  pick: (from: number, to: number) => number = (from, to) => randomInt(from, to + 1),
): Promise<Date> {
  const started = await positionedBackups(ctx, target, ctx.deps.clock.now());
  const [newest, oldest] = [started[0], started.at(-1)];
  if (!newest || !oldest) {
    throw new BackupError(
      'PITR_UNREACHABLE',
      `${target.database} has no verified backup recording its binary-log position to restore a moment from`,
    );
  }
  const reach = (await chainOf(ctx, target, newest)).reachesTo;
  const from = Math.floor(Date.parse(oldest.info.timeCreated) / 1000) + 1;
  const to = reach ? Math.floor(reach.getTime() / 1000) : 0;
  if (to < from) {
    throw new BackupError(
      'PITR_UNREACHABLE',
      `${target.database}'s shipped binary logs reach no moment after its newest backup (${newest.info.name}): is shipping running?`,
    );
  }
  return new Date(pick(from, to) * 1000);
}

export async function choosePointInTime(ctx: RunContext, target: Target, at: Date): Promise<PointInTime> {
  const { timeZone } = ctx.config;
  const now = ctx.deps.clock.now();
  if (at > now) {
    throw new BackupError(
      'REQUEST_INVALID',
      `at: ${localMoment(at, timeZone)} is still to come (it is ${localMoment(now, timeZone)})`,
    );
  }
  if (target.engine !== 'mysql') {
    throw new BackupError(
      'REQUEST_INVALID',
      `at: ${target.database} is a ${target.engine} database; only MySQL/MariaDB databases are restored to a moment`,
    );
  }
  const started = await positionedBackups(ctx, target, now);
  const backup = started.find((candidate) => Date.parse(candidate.info.timeCreated) < at.getTime());
  if (!backup) {
    const oldest = started.at(-1);
    const since = oldest
      ? `its oldest such backup was made ${localMoment(new Date(oldest.info.timeCreated), timeZone)}`
      : 'it has none';
    throw new BackupError(
      'PITR_UNREACHABLE',
      `${target.database} has no verified backup recording its binary-log position made before ${localMoment(at, timeZone)}: ${since}`,
    );
  }
  const chain = await chainOf(ctx, target, backup);
  const { start } = chain;
  if (chain.reachesTo === null || at > chain.reachesTo) {
    const reach = chain.reachesTo
      ? `its binary logs after that backup reach only to ${localMoment(chain.reachesTo, timeZone)}`
      : 'no binary log after that backup has been shipped yet';
    const problems = chain.problems
      .map((problem) => `; ${forDatabase(problem.message, target.database)}`)
      .join('');
    throw new BackupError(
      'PITR_UNREACHABLE',
      `${localMoment(at, timeZone)} cannot be reached for ${target.database}: ${reach}${problems}`,
    );
  }
  return { backup, start, logs: logsUpTo(chain, at) };
}
