// One restore from queued to settled: the scratch database made (never one that exists), the dump streamed into it,
// the result validated, the scratch database dropped (unless kept), each step shown to callers and the end logged.
import { BackupError, type ErrorCode, errorCodeOf } from '../../core/errors.js';
import type { CompressionAlgorithm } from '../../core/formats.js';
import { deadlineAfter } from '../../core/job-deadline.js';
import type { RestoreStatus } from '../../core/restore-protocol.js';
import type { ResolveRestore } from '../engines/credentials.js';
import { type RestoreSteps, restoreEngineFor, type TargetConfig } from '../engines/index.js';
import { type CommonRestore, restoreSettings } from '../engines/restore-engine.js';
import { watchLimits } from '../jobs/job-limits.js';
import type { JobTable } from '../jobs/job-table.js';
import type { AgentLog } from '../log/agent-log.js';
import type { Redact } from '../log/redact.js';
import { StderrTail } from '../pipeline/stderr-tail.js';
import { keptBy, scratchExistsMessage, scratchLocation } from './kept-scratch.js';
import { type ReplaySource, replayLogs } from './replay-logs.js';
import { interruptedRestore, restoreLogFields, runningRestore } from './restore-status.js';
import { dropScratch, makeScratch } from './scratch.js';
import { type RestoreToolSettings, streamRestore } from './stream-restore.js';
import { validateRestore } from './validate.js';
import type { ExpectedObject } from './verify-hashes.js';

/** What every restore runs with: the restore user's steps, the tools, the log. */
export interface RestoreTools {
  resolve: ResolveRestore;
  settings: RestoreToolSettings;
  log: AgentLog;
  redact: Redact;
  now: () => Date;
}

/** A restore job's tools, and its table's saving of its state. */
export type RestoreJobContext = RestoreTools &
  Pick<JobTable<RestoreStatus>, 'update' | 'progress' | 'shutdown' | 'all'>;

/** What the job reads: the object, through its signed URL, and how it is compressed. */
export interface RestoreSource {
  downloadUrl: string;
  expected: ExpectedObject;
  compression: CompressionAlgorithm;
  /** Its name ends `.age`: age decrypts it before it is decompressed. */
  encrypted: boolean;
  /** A restore to a moment: the logs replayed after the backup, before the validation. */
  replay?: ReplaySource;
}

export async function executeRestore(
  ctx: RestoreJobContext,
  queued: RestoreStatus,
  source: RestoreSource,
  target: TargetConfig,
  abort: AbortController,
): Promise<RestoreStatus> {
  const started = ctx.now();
  // Its deadline in its status: the watchdog reads there how long this target's restores may run.
  const limit = target.restore?.maxDurationMinutes;
  let status = runningRestore(queued, started);
  if (limit !== undefined) status = { ...status, deadline: deadlineAfter(started, limit) };
  let failure: { code: ErrorCode; message: string } | undefined;
  /** Whether the dump went in whole: only then may a kept scratch database stay. */
  let restored = false;
  let steps: RestoreSteps | undefined;
  const tail = new StderrTail(20, ctx.redact);
  const save = (next: RestoreStatus) => {
    status = next;
    return ctx.update(status);
  };
  await save(status);
  ctx.log.info(
    'job.restore-started',
    `restore of ${status.objectName} into ${status.scratchDatabase} started`,
    restoreLogFields(status),
  );
  const settings = restoreSettings<CommonRestore>(target);
  const engine = restoreEngineFor(target.engine);
  const limits = watchLimits(abort, settings, 'no byte of the backup arrived', () => Date.now());
  try {
    if (abort.signal.aborted) throw abort.signal.reason;
    steps = ctx.resolve(target, status.scratchDatabase);
    const location = scratchLocation(target, steps, status.scratchDatabase);
    // Said when it is there already: where, and (if a restore kept it) the command that drops it.
    const exists = () =>
      scratchExistsMessage(
        target,
        status.scratchDatabase,
        location,
        keptBy(ctx.all(), target.id, status.scratchDatabase),
      );
    await makeScratch(steps, status.scratchDatabase, exists, tail, abort.signal);
    await save({ ...status, scratch: 'created', location });
    const outcome = await streamRestore({
      ...source,
      url: source.downloadUrl,
      command: steps.restore,
      filters: engine.filters(),
      settings: { ...ctx.settings, redact: ctx.redact },
      tail,
      signal: abort.signal,
      clock: limits.clock,
      onProgress: (progress) => {
        limits.progressed(progress.bytesDownloaded);
        status = { ...status, ...progress };
        ctx.progress(status);
      },
    });
    const { bytesDownloaded, bytesRestored, exitCodes } = outcome;
    status = { ...status, bytesDownloaded, bytesRestored, exitCodes };
    if (!outcome.ok)
      throw new BackupError(
        outcome.errorCode ?? 'RESTORE_FAILED',
        outcome.errorMessage ?? 'the restore failed',
      );
    if (source.replay) {
      const base = { bytesDownloaded, bytesRestored };
      await save({ ...status, step: 'replaying' });
      await replayLogs({
        source: source.replay,
        steps,
        filters: engine.replayFilters,
        settings: { ...ctx.settings, redact: ctx.redact },
        tail,
        signal: abort.signal,
        clock: limits.clock,
        onProgress: (progress) => {
          limits.progressed(base.bytesDownloaded + progress.bytesDownloaded);
          status = {
            ...status,
            bytesDownloaded: base.bytesDownloaded + progress.bytesDownloaded,
            bytesRestored: base.bytesRestored + progress.bytesRestored,
          };
          ctx.progress(status);
        },
        onReport: (replay) => save({ ...status, replay }),
      });
    }
    restored = true;
    await save({ ...status, step: 'validating' });
    const validation = await validateRestore({
      steps,
      dialect: engine.dialect,
      checks: settings.checks,
      tail,
      signal: abort.signal,
    });
    status = {
      ...status,
      tables: validation.tables,
      checks: validation.checks,
      durationMs: ctx.now().getTime() - started.getTime(),
    };
    if (abort.signal.aborted) throw abort.signal.reason;
    if (validation.problems.length > 0)
      throw new BackupError('VALIDATION_FAILED', validation.problems.join('; '));
  } catch (error) {
    failure = { code: errorCodeOf(error), message: (error as Error)?.message ?? String(error) };
  } finally {
    limits.stop();
  }
  status = { ...status, durationMs: status.durationMs ?? ctx.now().getTime() - started.getTime() };
  if (status.scratch === 'created' && steps) {
    if (queued.keep && restored) status = { ...status, scratch: 'kept' };
    else {
      await save({ ...status, step: 'dropping' });
      try {
        await dropScratch(steps, tail);
        status = { ...status, scratch: 'dropped' };
      } catch (error) {
        const message = `the scratch database ${status.scratchDatabase} could not be dropped: ${(error as Error).message}`;
        failure = failure
          ? { ...failure, message: `${failure.message}; ${message}` }
          : { code: 'SCRATCH_DROP_FAILED', message };
      }
    }
  }
  return settle(ctx, status, failure, tail, abort.signal.reason === ctx.shutdown);
}

/** The restore's end: logged before it is saved, so a failing disk cannot drop the line syslog and the banner read. */
async function settle(
  ctx: RestoreJobContext,
  running: RestoreStatus,
  failure: { code: ErrorCode; message: string } | undefined,
  tail: StderrTail,
  interrupted: boolean,
): Promise<RestoreStatus> {
  const { step: _step, ...rest } = running;
  let status: RestoreStatus = {
    ...rest,
    state: failure ? 'failed' : 'succeeded',
    endedAt: ctx.now().toISOString(),
    stderrTail: tail.tail.map(ctx.redact),
    ...(failure && { errorCode: failure.code, errorMessage: ctx.redact(failure.message) }),
  };
  if (interrupted) status = { ...interruptedRestore(status, ctx.now()), scratch: status.scratch };
  const fields = restoreLogFields(status);
  if (status.state === 'succeeded') {
    ctx.log.info(
      'job.restore-succeeded',
      `restored ${status.objectName} into ${status.scratchDatabase} and validated it`,
      fields,
    );
  } else {
    ctx.log.error(
      status.state === 'interrupted' ? 'job.restore-interrupted' : 'job.restore-failed',
      `restore of ${status.objectName} ${status.state}: ${status.errorMessage}`,
      {
        ...fields,
        stderrTail: status.stderrTail,
      },
    );
  }
  await ctx.update(status);
  return status;
}
