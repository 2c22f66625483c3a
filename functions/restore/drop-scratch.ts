// Dropping a scratch database a restore kept (`keep`), on demand: the target's agent is asked, by a signed call, to
// drop one of the target's allowed scratch databases that a restore of its own kept — never the source, never one it
// did not make. Its refusal (not allowed, not kept, a restore under way) is the request's, passed on in its words.
import { randomUUID } from 'node:crypto';
import { passedRefusal } from '../agent/agent-error.js';
import type { FunctionConfig } from '../config/schema.js';
import type { FunctionDeps } from '../run/deps.js';
import { selectTargets } from '../run/plan.js';
import type { RestoreRequest } from './request.js';

export interface DropScratchReport {
  kind: 'drop-scratch';
  runId: string;
  targetId: string;
  database: string;
  scratchDatabase: string;
  /** Where it was: its file, or the database and its server. */
  location?: string;
  /** The restore that kept it, and the backup it had restored. */
  keptBy: { jobId: string; objectName: string };
  droppedAt: string;
}

export async function dropKeptScratch(
  config: FunctionConfig,
  deps: FunctionDeps,
  request: RestoreRequest,
): Promise<DropScratchReport> {
  const [target] = selectTargets(config, request.databases);
  if (!target) throw new Error('a drop of a scratch database names one database');
  const runId = randomUUID();
  const dropped = await deps.agent
    .dropScratch(target.agentUrl, {
      runId,
      targetId: target.id,
      ...(request.scratch && { scratchDatabase: request.scratch }),
    })
    .catch((error: unknown) => {
      throw (
        passedRefusal(error, [
          'SCRATCH_REFUSED',
          'SCRATCH_NOT_KEPT',
          'JOB_CONFLICT',
          'RESTORE_NOT_CONFIGURED',
        ]) ?? error
      );
    });
  deps.logger.event(
    'restore.scratch-dropped',
    `${dropped.scratchDatabase}, kept by restore ${dropped.jobId} of ${dropped.objectName}, dropped`,
    {
      runId,
      targetId: target.id,
      database: target.database,
      jobId: dropped.jobId,
      object: dropped.objectName,
    },
  );
  return {
    kind: 'drop-scratch',
    runId,
    targetId: target.id,
    database: target.database,
    scratchDatabase: dropped.scratchDatabase,
    ...(dropped.location && { location: dropped.location }),
    keptBy: { jobId: dropped.jobId, objectName: dropped.objectName },
    droppedAt: deps.clock.now().toISOString(),
  };
}
