// What a run reports per target and as a whole, for `backup`, `verify`, `restore` and `binlogs` alike; the summary decides the
// status.
import type { EngineName } from '../../core/formats.js';
import type { RestoreStatus } from '../../core/restore-protocol.js';
import type { AgentErrorContext } from '../agent/agent-error.js';
import type { ChainState } from '../binlog/chain-state.js';
import type { NewestKept } from '../retention/hold-newest.js';
import type { Retention } from '../retention/metadata.js';
import type { KeptBackup } from '../retention/plan.js';
import type { DeepCheck } from '../verify/deep-check.js';
import type { TargetObject } from './plan.js';

export const BACKUP_OUTCOMES = [
  'succeeded',
  'warning',
  'exists',
  'failed',
  'skipped',
  'running',
  'planned',
] as const;
export const VERIFY_OUTCOMES = [
  'verified',
  'settled',
  'warning',
  'running',
  'missing',
  'failed',
  'interrupted',
  'stuck',
] as const;
/** `shipped`: closed binary logs shipped; `current`: none was waiting; `failed`: a log not shipped, or one lost. */
export const BINLOG_OUTCOMES = ['shipped', 'current', 'failed'] as const;
/** verify's look at a pointInTime database's chain of logs from its newest backup: whole and recent, or not. */
export const CHAIN_OUTCOMES = ['unbroken', 'broken'] as const;
/** `restored`: restored into a scratch database and validated; `missing`: no verified backup to restore. */
export const RESTORE_OUTCOMES = ['restored', 'failed', 'missing', 'running'] as const;
export type BackupOutcome = (typeof BACKUP_OUTCOMES)[number];
export type VerifyOutcome = (typeof VERIFY_OUTCOMES)[number];
export type RestoreOutcome = (typeof RESTORE_OUTCOMES)[number];
export type BinlogOutcome = (typeof BINLOG_OUTCOMES)[number];
export type ChainOutcome = (typeof CHAIN_OUTCOMES)[number];
export type Outcome = BackupOutcome | VerifyOutcome | RestoreOutcome | BinlogOutcome | ChainOutcome;

/** What a shipping run did with a target's server's binary logs. */
export interface BinlogShipping {
  /** The server's id, whose folder the logs are in. */
  serverId: number;
  /** The logs shipped by this run, oldest first. */
  shipped: string[];
  /** Logs the chain needs that the server no longer holds and the bucket never got. */
  purged?: string[];
}

/** What a restore found, as its agent reported it: the recovery time, the tables and the checks. */
export type RestoreDetails = Pick<
  RestoreStatus,
  | 'scratchDatabase'
  | 'scratch'
  | 'keep'
  | 'bytesDownloaded'
  | 'bytesRestored'
  | 'durationMs'
  | 'tables'
  | 'checks'
  | 'state'
  | 'step'
  | 'location'
  | 'replay'
>;

/** The outcomes that make a run fail (HTTP 500, so Cloud Scheduler records the attempt as failed). */
const FAILING: ReadonlySet<Outcome> = new Set<Outcome>([
  'failed',
  'missing',
  'interrupted',
  'stuck',
  'broken',
]);
/** The outcomes that send the run's one alert: every failure, and a backup kept but doubtful. */
const ALERTING: ReadonlySet<Outcome> = new Set<Outcome>([...FAILING, 'warning']);

export interface TargetReport<O extends Outcome = Outcome> {
  targetId: string;
  database: string;
  engine: EngineName;
  objectName: string;
  outcome: O;
  jobId?: string;
  bytes?: number;
  durationMs?: number;
  generation?: string;
  /** A job still going: when its agent stops it if it has not ended (its target's limit after its start). */
  deadline?: string;
  /** Why the outcome, in a sentence: e.g. what a skipped target was skipped after. */
  note?: string;
  error?: {
    code: string;
    message: string;
    stderrTail?: readonly string[];
    /** A failed call to the agent: which agent, what it answered, what it was asked about. */
    agent?: AgentErrorContext;
  };
  /** The backup's retention class and end (its customTime); in a dry run, what tonight's would get. */
  retention?: Retention;
  /** Dry run: the target's backups in the bucket, each with its class and retention end. */
  kept?: KeptBackup[];
  /** verify: the newest good copy, kept longer because no newer one exists. */
  newestKept?: NewestKept;
  /** A restore's own findings. */
  restore?: RestoreDetails;
  /** A restore to a moment (on demand, or a point-in-time database's drill): the moment asked for. */
  pointInTime?: { moment: string };
  /** verify, deep: what reading every byte of the object found. */
  deepCheck?: DeepCheck;
  /** binlogs: the logs shipped. */
  binlogs?: BinlogShipping;
  /** verify, of a pointInTime database: its chain of logs from its newest backup. */
  chain?: ChainState;
}

/** Whatever is known of a target besides who it is and its outcome. */
export type TargetDetails = Partial<
  Omit<TargetReport, 'targetId' | 'database' | 'engine' | 'objectName' | 'outcome'>
>;

export interface RunReport<O extends Outcome = Outcome> {
  kind: 'backup' | 'verify' | 'restore' | 'binlogs' | 'chain';
  runId: string;
  /** The calendar date the run's objects are named after, yyyyMMdd. */
  date: string;
  startedAt: string;
  finishedAt: string;
  status: 'ok' | 'warning' | 'failed';
  counts: Partial<Record<O, number>>;
  targets: TargetReport<O>[];
  dryRun?: boolean;
  force?: boolean;
  /** A restore run that drills every target (the weekly schedule's). */
  drill?: boolean;
  /** verify: every byte of each object was read (the deep check). */
  deep?: boolean;
  /** verify: the drills of earlier restore runs it followed up, reported (and alerted) as a drill's. */
  drills?: RunReport<RestoreOutcome>;
  /** verify: the pointInTime databases' chains of logs, reported (and alerted) apart from the backups. */
  chains?: RunReport<ChainOutcome>;
}

export function isAlerting(outcome: Outcome): boolean {
  return ALERTING.has(outcome);
}

/** A target's report: who it is, its outcome, and whatever else is known. */
export function reportFor<O extends Outcome>(
  planned: TargetObject,
  outcome: O,
  extra: TargetDetails = {},
): TargetReport<O> {
  const { target, objectName } = planned;
  return {
    targetId: target.id,
    database: target.database,
    engine: target.engine,
    objectName,
    outcome,
    ...extra,
  };
}

/** The report of a finished run: its status and counts follow from the targets' outcomes. */
export function summarise<O extends Outcome>(base: Omit<RunReport<O>, 'status' | 'counts'>): RunReport<O> {
  const counts: Partial<Record<O, number>> = {};
  for (const target of base.targets) counts[target.outcome] = (counts[target.outcome] ?? 0) + 1;
  const failed = base.targets.some((target) => FAILING.has(target.outcome));
  const doubtful = base.targets.some((target) => isAlerting(target.outcome));
  return { ...base, status: failed ? 'failed' : doubtful ? 'warning' : 'ok', counts };
}

/** 500 when anything failed, so Cloud Scheduler records the attempt as failed. */
export function httpStatusOf(report: Pick<RunReport, 'status'>): number {
  return report.status === 'failed' ? 500 : 200;
}

/** A Logs Explorer link showing every line of one run. */
export function logsExplorerUrl(runId: string, project?: string): string {
  const query = encodeURIComponent(`labels.runId="${runId}"`);
  return `https://console.cloud.google.com/logs/query;query=${query}${project ? `?project=${encodeURIComponent(project)}` : ''}`;
}
