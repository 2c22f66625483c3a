// Scratch databases a restore kept (`keep`): where one is, what the refusal to restore over it says, and its drop —
// only of one of the target's allowed scratch databases that a restore of this agent kept, never the source, never
// one the agent did not make.
import { BackupError } from '../../core/errors.js';
import {
  type DropScratchRequest,
  dropScratchCommand,
  type RestoreStatus,
} from '../../core/restore-protocol.js';
import type { TargetConfig } from '../engines/index.js';
import { type CommonRestore, type RestoreSteps, restoreSettings } from '../engines/restore-engine.js';
import { StderrTail } from '../pipeline/stderr-tail.js';
import type { RestoreTools } from './execute-restore.js';
import { restoreLogFields } from './restore-status.js';
import { dropScratch } from './scratch.js';

/** Where a scratch database is, as an admin finds it: its file, or the database and its server (never a URI: it may hold a password). */
export function scratchLocation(target: TargetConfig, steps: RestoreSteps, scratch: string): string {
  if (steps.drop.kind === 'files') return steps.drop.paths[0] ?? scratch;
  const server =
    'socket' in target && target.socket
      ? ` at ${target.socket}`
      : 'host' in target && target.host !== undefined && !('uri' in target && target.uri)
        ? ` at ${target.host}${'port' in target && target.port !== undefined ? `:${target.port}` : ''}`
        : '';
  return `${target.engine} database ${scratch} on the server of target ${target.id}${server}`;
}

/** The restore of this agent that kept `scratch` of the target and left it there, the latest; undefined if none. */
export function keptBy(
  restores: readonly RestoreStatus[],
  targetId: string,
  scratch: string,
): RestoreStatus | undefined {
  return restores
    .filter((r) => r.targetId === targetId && r.scratchDatabase === scratch && r.scratch === 'kept')
    .sort((a, b) => (b.endedAt ?? '').localeCompare(a.endedAt ?? ''))[0];
}

/** Why a restore cannot make `scratch`: it is there, kept by a restore (and how to drop it) or made by someone else. */
export function scratchExistsMessage(
  target: TargetConfig,
  scratch: string,
  location: string,
  kept: RestoreStatus | undefined,
): string {
  const where = `the scratch database ${scratch} exists already (${location})`;
  if (!kept)
    return `${where}, and no restore of this agent kept it: drop it by hand, or restore into another`;
  return `${where}, kept by restore ${kept.jobId} of ${kept.objectName}: drop it with \`${dropScratchCommand(target.id, scratch)}\`, or restore into another`;
}

export interface DropDeps extends RestoreTools {
  restores: () => RestoreStatus[];
  update: (status: RestoreStatus) => Promise<void>;
}

/** Drops a kept scratch database; returns the record of the restore that kept it, now `dropped`. */
export async function dropKept(
  deps: DropDeps,
  target: TargetConfig,
  request: DropScratchRequest,
): Promise<RestoreStatus> {
  const allowed = restoreSettings<CommonRestore>(target).scratchDatabases;
  const scratch = request.scratchDatabase ?? (allowed[0] as string);
  if (scratch === target.database || !allowed.includes(scratch)) {
    throw new BackupError(
      'SCRATCH_REFUSED',
      `${scratch} is not one of ${target.id}'s scratch databases (allowed: ${allowed.join(', ')})`,
    );
  }
  const all = deps.restores();
  const kept = keptBy(all, target.id, scratch);
  if (!kept) {
    const keptNames = allowed.filter((name) => keptBy(all, target.id, name));
    throw new BackupError(
      'SCRATCH_NOT_KEPT',
      `no restore of this agent kept ${scratch} of ${target.id}, so it is not the agent's to drop (kept now: ${keptNames.join(', ') || 'none'})`,
    );
  }
  const busy = all.find((r) => r.targetId === target.id && (r.state === 'queued' || r.state === 'running'));
  if (busy)
    throw new BackupError('JOB_CONFLICT', `${target.id} is restoring ${busy.objectName} (job ${busy.jobId})`);
  try {
    await dropScratch(deps.resolve(target, scratch), new StderrTail(5, deps.redact));
  } catch (error) {
    const message = `${scratch} (${kept.location ?? target.id}) could not be dropped: ${(error as Error).message}`;
    throw new BackupError('SCRATCH_DROP_FAILED', deps.redact(message), { cause: error });
  }
  const dropped: RestoreStatus = { ...kept, scratch: 'dropped' };
  await deps.update(dropped);
  deps.log.info('job.scratch-dropped', `dropped ${scratch}, kept by restore ${kept.jobId}, as asked`, {
    ...restoreLogFields(dropped),
    requestRunId: request.runId,
  });
  return dropped;
}
