// One database's health, as a pure function of its backups in the bucket, its status record and the schedule:
// the last attempt, the newest good backup's age against the schedule, the last drill, deep check and restore, and
// every problem found — each a code the admin can look up and a sentence saying what to do.
import { DateTime } from 'luxon';
import type { ErrorCode } from '../../core/errors.js';
import { DEFAULT_MAX_DURATION_MINUTES } from '../../core/job-deadline.js';
import { backupDate, isoDay } from '../../core/object-name.js';
import type { FunctionConfig, Target } from '../config/schema.js';
import { DEEP_CHECKED_KEY, isGoodBackup, knownFault } from '../object/good-backup.js';
import { DRILL_FAILED_KEY, DRILL_STATE_KEY, DRILLED_KEY } from '../restore/drill-marks.js';
import { lastScheduledRun } from '../run/schedule-day.js';
import type { TargetBackup } from '../storage/target-backups.js';
import type { RecoveryPoint } from './recovery-point.js';
import type { RecordEntry, TargetRecord } from './status-record.js';

export interface Problem {
  code: ErrorCode;
  message: string;
}

type Aged<T> = T & { ageHours?: number };

export interface TargetStatus {
  targetId: string;
  database: string;
  engine: Target['engine'];
  lastAttempt?: Aged<RecordEntry>;
  newestGood?: Aged<{ objectName: string; date: string; createdAt: string }>;
  /** The backup date the schedule's last finished run should have made (yyyyMMdd). */
  due: string;
  lastDrill?: Aged<Partial<RecordEntry>>;
  /** A point-in-time database's last drill at a moment: the moment, and how it went. */
  lastPointInTimeDrill?: Aged<RecordEntry>;
  lastDeepCheck?: Aged<Partial<RecordEntry>>;
  lastRestore?: Aged<RecordEntry>;
  /** A pointInTime database's achieved recovery point (recovery-point.ts). */
  recoveryPoint?: RecoveryPoint;
  problems: Problem[];
}

/** Attempt outcomes after which the database has no backup of that run. */
const FAILED_ATTEMPT = new Set(['failed', 'missing', 'interrupted', 'stuck', 'skipped']);
/** Restore and drill outcomes that did not restore and validate the backup. */
const FAILED_RESTORE = new Set(['failed', 'missing']);

const hoursSince = (at: string | undefined, now: Date) =>
  at === undefined ? undefined : Math.round((now.getTime() - Date.parse(at)) / 360_000) / 10;

function aged<T extends { at?: string }>(entry: T | undefined, now: Date): Aged<T> | undefined {
  if (!entry) return undefined;
  const ageHours = hoursSince(entry.at, now);
  return ageHours === undefined ? entry : { ...entry, ageHours };
}

/** The newest drill and deep check marked on the objects, for what no record holds (runs before records). */
function fromObjects(backups: readonly TargetBackup[]) {
  const drilled = backups.find((b) => b.info.metadata[DRILL_STATE_KEY]);
  const deep = backups.find((b) => b.info.metadata[DEEP_CHECKED_KEY]);
  const meta = drilled?.info.metadata;
  return {
    drill: drilled && {
      outcome: meta?.[DRILL_STATE_KEY],
      objectName: drilled.info.name,
      ...(meta?.[DRILLED_KEY] && { at: meta[DRILLED_KEY] }),
      ...(meta?.[DRILL_FAILED_KEY] && {
        error: { code: 'LAST_DRILL_FAILED', message: meta[DRILL_FAILED_KEY] },
      }),
    },
    deepCheck: deep && {
      at: deep.info.metadata[DEEP_CHECKED_KEY],
      objectName: deep.info.name,
      outcome: knownFault(deep.info)?.code === 'DEEP_CHECK_FAILED' ? 'failed' : 'passed',
    },
  };
}

const why = (entry: Partial<RecordEntry>) =>
  entry.error ? `: ${entry.error.code}: ${entry.error.message}` : '';

function attemptProblem(attempt: RecordEntry, now: Date): Problem | undefined {
  const which = `the last backup attempt (run ${attempt.runId}, ${attempt.at})`;
  if (FAILED_ATTEMPT.has(attempt.outcome)) {
    return { code: 'LAST_BACKUP_FAILED', message: `${which} ended ${attempt.outcome}${why(attempt)}` };
  }
  if (attempt.outcome === 'warning') {
    return { code: 'LAST_BACKUP_FAILED', message: `${which} kept a backup that looks wrong${why(attempt)}` };
  }
  if (attempt.outcome !== 'running') return undefined;
  const minutes = (now.getTime() - Date.parse(attempt.at)) / 60_000;
  // Its agent's deadline, recorded with it; the agent's default limit for an attempt recorded without one.
  const deadline = Date.parse(attempt.deadline ?? '');
  const overdue = Number.isNaN(deadline) ? minutes > DEFAULT_MAX_DURATION_MINUTES : now.getTime() > deadline;
  if (!overdue) return undefined;
  const limit = Number.isNaN(deadline)
    ? `limit ${DEFAULT_MAX_DURATION_MINUTES}`
    : `its deadline ${attempt.deadline}`;
  return {
    code: 'LAST_BACKUP_FAILED',
    message: `${which} has been running for ${Math.round(minutes)} minutes (${limit}): run db-backup verify`,
  };
}

/** A scheduled drill or deep check has this long to be recorded: Cloud Scheduler's attempt deadline, and margin. */
const SCHEDULED_RUN_GRACE_MINUTES = 60;

/**
 * A drill or deep check that the latest run of its schedule should have recorded and did not: nothing since that
 * run, though a good backup was there for it to read. A record put back from an earlier run shows up here too.
 */
function overdueProblem(
  what: { code: 'DRILL_OVERDUE' | 'DEEP_CHECK_OVERDUE'; noun: string; schedule: string; command: string },
  last: Partial<RecordEntry> | undefined,
  backups: readonly TargetBackup[],
  config: FunctionConfig,
  now: Date,
): Problem | undefined {
  const endedBy = new Date(now.getTime() - SCHEDULED_RUN_GRACE_MINUTES * 60_000);
  const run = lastScheduledRun(what.schedule, config.timeZone, endedBy);
  const readable = backups.some(
    (b) => isGoodBackup(b.info) && Date.parse(b.info.timeCreated) < run.getTime(),
  );
  if (!readable || (last && !last.at) || (last?.at && Date.parse(last.at) >= run.getTime())) return undefined;
  return {
    code: what.code,
    message: `no ${what.noun} since ${last?.at ?? 'ever'}, though its schedule (${what.schedule}, ${config.timeZone}) ran at ${run.toISOString()}: check its Cloud Scheduler job and the function's logs, or run ${what.command}`,
  };
}

export function judgeTarget(
  config: FunctionConfig,
  target: Target,
  backups: readonly TargetBackup[],
  record: TargetRecord,
  now: Date,
): TargetStatus {
  const problems: Problem[] = [];
  // The schedule's latest run that has had a job's time to finish: its date is the backup that must exist.
  const endedBy = new Date(now.getTime() - DEFAULT_MAX_DURATION_MINUTES * 60_000);
  const due = backupDate(lastScheduledRun(config.schedule, config.timeZone, endedBy), config.timeZone);
  const good = backups.find((backup) => isGoodBackup(backup.info));
  const newestGood = good && {
    objectName: good.info.name,
    date: good.date,
    createdAt: good.info.timeCreated,
    ageHours: hoursSince(good.info.timeCreated, now),
  };
  const fresh = `take a fresh backup with db-backup run --force ${target.database}`;
  if (!good)
    problems.push({ code: 'BACKUP_MISSING', message: `${target.database} has no good backup: ${fresh}` });
  else if (good.date < due) {
    const zone = { zone: config.timeZone };
    const today = DateTime.fromJSDate(now, zone).startOf('day');
    const days = Math.round(today.diff(DateTime.fromFormat(good.date, 'yyyyMMdd', zone), 'days').days);
    problems.push({
      code: 'BACKUP_OVERDUE',
      message: `the newest good backup is of ${isoDay(good.date)}, ${days} day(s) before today; the schedule (${config.schedule}, ${config.timeZone}) should have made one of ${isoDay(due)}`,
    });
  }
  const newest = backups[0];
  const fault = newest && knownFault(newest.info);
  if (fault)
    problems.push({ code: fault.code, message: `${fault.message}; it will not be restored: ${fresh}` });
  const attempt = record.backup;
  const attemptFailed = attempt && attemptProblem(attempt, now);
  if (attemptFailed) problems.push(attemptFailed);
  const marked = fromObjects(backups);
  const drill = record.drill ?? marked.drill;
  if (drill?.outcome && FAILED_RESTORE.has(drill.outcome)) {
    problems.push({
      code: 'LAST_DRILL_FAILED',
      message: `the last drill of ${drill.objectName ?? 'its backup'} failed${why(drill)}`,
    });
  }
  const deepCheck = record.deepCheck ?? marked.deepCheck;
  for (const overdue of [
    overdueProblem(
      {
        code: 'DRILL_OVERDUE',
        noun: 'drill',
        schedule: config.drillSchedule,
        command: 'db-backup restore --drill',
      },
      drill,
      backups,
      config,
      now,
    ),
    overdueProblem(
      {
        code: 'DEEP_CHECK_OVERDUE',
        noun: 'deep check',
        schedule: config.deepCheckSchedule,
        command: 'db-backup verify --deep',
      },
      deepCheck,
      backups,
      config,
      now,
    ),
  ]) {
    if (overdue) problems.push(overdue);
  }
  const restore = record.restore;
  if (restore && FAILED_RESTORE.has(restore.outcome)) {
    problems.push({
      code: 'LAST_RESTORE_FAILED',
      message: `the last restore (run ${restore.runId}, ${restore.at}) failed${why(restore)}`,
    });
  }
  return {
    targetId: target.id,
    database: target.database,
    engine: target.engine,
    ...(attempt && { lastAttempt: aged(attempt, now) }),
    ...(newestGood && { newestGood }),
    due,
    ...(drill && { lastDrill: aged(drill, now) }),
    ...(record.pointInTimeDrill && { lastPointInTimeDrill: aged(record.pointInTimeDrill, now) }),
    ...(deepCheck && { lastDeepCheck: aged(deepCheck, now) }),
    ...(restore && { lastRestore: aged(restore, now) }),
    problems,
  };
}
