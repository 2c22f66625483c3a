// The on-demand `retention` function: the classes applied to every backup already in the bucket (those from before
// retention, or checked by an older version), only ever moving a customTime forward, so running it again changes
// nothing. A dry run reports the same plan and writes nothing.
import { randomUUID } from 'node:crypto';
import type { Bucket } from '@google-cloud/storage';
import type { EngineName } from '../../core/formats.js';
import { mapInOrder } from '../../core/pool.js';
import type { FunctionConfig, Target } from '../config/schema.js';
import { listProvenBackups, reportUnproven } from '../object/proven-backups.js';
import type { FunctionDeps } from '../run/deps.js';
import { errorFailure, type FailureInfo } from '../run/failure.js';
import { selectTargets } from '../run/plan.js';
import { updateObject } from '../storage/update-object.js';
import { retentionPolicy } from './classes.js';
import { type PlannedBackup, planRetention } from './plan.js';
import type { RetentionRequest } from './request.js';

export interface RetentionTargetReport {
  targetId: string;
  database: string;
  engine: EngineName;
  /** `extended`: at least one customTime moved; `planned`: a dry run. */
  outcome: 'extended' | 'unchanged' | 'planned' | 'failed';
  /** How many backups each action applies to, and how many are already past their retention end. */
  counts: Record<PlannedBackup['action'] | 'due', number>;
  /** Newest first. */
  backups: PlannedBackup[];
  error?: FailureInfo;
}

export interface RetentionReport {
  kind: 'retention';
  runId: string;
  startedAt: string;
  finishedAt: string;
  dryRun: boolean;
  status: 'ok' | 'failed';
  targets: RetentionTargetReport[];
}

interface Context {
  config: FunctionConfig;
  deps: FunctionDeps;
  bucket: Bucket;
  runId: string;
  dryRun: boolean;
  now: Date;
}

type Step = ReturnType<typeof planRetention>[number];

/** Moves one backup's customTime forward as planned; the entry as it then stands. */
async function apply(ctx: Context, { backup, report, update }: Step, fields: object): Promise<PlannedBackup> {
  const object = { ...fields, object: backup.info.name };
  if (report.action === 'unchecked' && !ctx.dryRun) {
    ctx.deps.logger.event(
      'retention.unchecked',
      `${backup.info.name} was never checked: it has no retention end`,
      object,
    );
  }
  if (ctx.dryRun || !update) return report;
  try {
    const written = await updateObject(ctx.bucket, backup.info, update);
    const keptUntil = new Date(written.customTime as string).toISOString();
    const message = `${backup.info.name}: the ${report.class} copy, kept until ${keptUntil}`;
    ctx.deps.logger.event('retention.extended', message, {
      ...object,
      retentionClass: report.class,
      keptUntil,
      previous: report.previous ?? undefined,
    });
    return { ...report, keptUntil };
  } catch (error) {
    return { ...report, action: 'failed', error: errorFailure(error) };
  }
}

async function retainTarget(ctx: Context, target: Target): Promise<RetentionTargetReport> {
  const who = { targetId: target.id, database: target.database, engine: target.engine };
  const fields = { runId: ctx.runId, targetId: target.id, database: target.database };
  const counts = { extend: 0, unchanged: 0, unchecked: 0, failed: 0, due: 0 };
  const fail = (error: FailureInfo, backups: PlannedBackup[]): RetentionTargetReport => {
    ctx.deps.logger.event('retention.target-failed', error.message, { ...fields, errorCode: error.code });
    return { ...who, outcome: 'failed', counts, backups, error };
  };
  let plan: Step[];
  try {
    // An object not proven ours takes no period's place and is given no retention end.
    const { proven, unproven } = await listProvenBackups(ctx.bucket, ctx.config, target, ctx.now);
    reportUnproven(ctx.deps.logger, unproven, fields);
    plan = planRetention(proven, ctx.now, retentionPolicy(ctx.config));
  } catch (error) {
    return fail(errorFailure(error), []);
  }
  const backups: PlannedBackup[] = [];
  for (const step of plan) backups.push(await apply(ctx, step, fields));
  for (const backup of backups) {
    counts[backup.action] += 1;
    if (backup.due) counts.due += 1;
  }
  const failed = backups.find((backup) => backup.error);
  if (failed?.error) {
    const message = `${counts.failed} backup(s) of ${target.database} could not be updated; ${failed.objectName}: ${failed.error.message}`;
    return fail({ code: failed.error.code, message }, backups);
  }
  const outcome = ctx.dryRun ? 'planned' : counts.extend > 0 ? 'extended' : 'unchanged';
  return { ...who, outcome, counts, backups };
}

export async function runRetention(
  config: FunctionConfig,
  deps: FunctionDeps,
  request: RetentionRequest,
): Promise<RetentionReport> {
  const now = deps.clock.now();
  const runId = randomUUID();
  const selected = selectTargets(config, request.databases);
  deps.logger.event(
    'retention.started',
    `${request.dryRun ? 'dry run: planning' : 'applying'} retention for ${selected.length} target(s)`,
    { runId, targets: selected.length, dryRun: request.dryRun },
  );
  const ctx: Context = {
    config,
    deps,
    bucket: deps.storage.bucket(config.bucket),
    runId,
    dryRun: request.dryRun,
    now,
  };
  const targets = await mapInOrder(selected, config.concurrency, (target) => retainTarget(ctx, target));
  const finishedAt = deps.clock.now();
  const status = targets.some((target) => target.outcome === 'failed') ? 'failed' : 'ok';
  const totals = { extended: 0, due: 0, failed: 0 };
  for (const { counts } of targets) {
    totals.extended += counts.extend;
    totals.due += counts.due;
    totals.failed += counts.failed;
  }
  deps.logger.event(
    status === 'ok' ? 'retention.finished' : 'retention.failed',
    `retention ${request.dryRun ? 'planned' : 'applied'}: ${JSON.stringify(totals)}`,
    { runId, counts: totals, durationMs: finishedAt.getTime() - now.getTime() },
  );
  return {
    kind: 'retention',
    runId,
    startedAt: now.toISOString(),
    finishedAt: finishedAt.toISOString(),
    dryRun: request.dryRun,
    status,
    targets,
  };
}
