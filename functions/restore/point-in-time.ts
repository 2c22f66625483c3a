// What a restore to a moment reads: the newest proven backup of the database that records where it starts in its
// server's binary log and was made before the moment, and the attested shipped logs from that start on up to the
// moment (functions/binlog/chain.ts). Positions and chains come only from objects the function attested.
import { DateTime } from 'luxon';
import { binlogFolder, parseBinlogObjectName } from '../../core/binlog-name.js';
import type { ShippedLogFacts } from '../../core/binlog-protocol.js';
import { BackupError } from '../../core/errors.js';
import { type ChainStart, followChain, logsUpTo } from '../binlog/chain.js';
import { logFactsOf } from '../binlog/log-facts.js';
import type { Target } from '../config/schema.js';
import { attestationKeys, attestationProblem } from '../object/attestation.js';
import { binlogPositionOf } from '../object/binlog-metadata.js';
import { listProvenBackups, reportUnproven } from '../object/proven-backups.js';
import type { RunContext } from '../run/run-context.js';
import { objectInfo } from '../storage/objects.js';
import { type ChosenBackup, usable } from './choose-backup.js';

export interface ShippedLog {
  info: ChosenBackup['info'];
  facts: ShippedLogFacts;
}

export interface PointInTime {
  backup: ChosenBackup;
  start: ChainStart;
  /** In order, the first holding the backup's start. */
  logs: ShippedLog[];
}

/** A moment as the admin reads it: in the configured zone, to the second. */
export function localMoment(moment: Date, timeZone: string): string {
  return DateTime.fromJSDate(moment, { zone: timeZone }).toFormat('yyyy-MM-dd HH:mm:ss ZZZZ');
}

/** The logs of the database's server shipped and attested by the function; any other object there is left out. */
async function shippedLogs(ctx: RunContext, target: Target, serverId: number): Promise<ShippedLog[]> {
  const { prefix, bucket } = ctx.config;
  const [files] = await ctx.bucket.getFiles({
    prefix: binlogFolder(prefix, target.database, serverId),
    autoPaginate: true,
  });
  const keys = attestationKeys(ctx.config.signingKey, ctx.config.retiredSigningKeys);
  return files.flatMap((file) => {
    const info = objectInfo({ ...file.metadata, name: file.name });
    const named = parseBinlogObjectName(prefix, file.name);
    const facts = logFactsOf(info.metadata);
    if (!named || !facts || named.file !== facts.file || !info.crc32c || !info.md5Hash) return [];
    if (attestationProblem(bucket, info, keys) !== null) return [];
    return [{ info: info as ShippedLog['info'], facts }];
  });
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
  const { proven, unproven } = await listProvenBackups(ctx.bucket, ctx.config, target, now);
  reportUnproven(ctx.deps.logger, unproven, {
    runId: ctx.runId,
    targetId: target.id,
    database: target.database,
  });
  const started = proven
    .filter((backup) => usable(backup.info) && binlogPositionOf(backup.info.metadata) !== null)
    .sort((a, b) => Date.parse(b.info.timeCreated) - Date.parse(a.info.timeCreated));
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
  const position = binlogPositionOf(backup.info.metadata) as NonNullable<ReturnType<typeof binlogPositionOf>>;
  const start: ChainStart = {
    file: position.file,
    position: position.position,
    serverId: position.serverId,
    takenAt: new Date(backup.info.timeCreated),
  };
  const chain = followChain(start, await shippedLogs(ctx, target, position.serverId));
  if (chain.reachesTo === null || at > chain.reachesTo) {
    const reach = chain.reachesTo
      ? `its binary logs after that backup reach only to ${localMoment(chain.reachesTo, timeZone)}`
      : 'no binary log after that backup has been shipped yet';
    const problems = chain.problems.map((problem) => `; ${problem.message}`).join('');
    throw new BackupError(
      'PITR_UNREACHABLE',
      `${localMoment(at, timeZone)} cannot be reached for ${target.database}: ${reach}${problems}`,
    );
  }
  return { backup: backup as ChosenBackup, start, logs: logsUpTo(chain, at) };
}
