// The first step of a target's backup: today's object already there (then proven, not overwritten), or a
// create-only upload session opened for the agent to write it.
import { errorFailure } from '../run/failure.js';
import type { PlannedTarget } from '../run/plan.js';
import type { BackupOutcome, TargetReport } from '../run/report.js';
import { targetFields } from '../run/run-context.js';
import { contentTypeOf } from '../storage/content-type.js';
import { getObject, openSession } from '../storage/objects.js';
import { type BackupContext, backupFailed } from './backup-context.js';
import { existingOutcome } from './existing-object.js';

export type Prepared =
  | { kind: 'ready'; planned: PlannedTarget; sessionUri: string }
  | { kind: 'done'; report: TargetReport<BackupOutcome> };

export async function prepareTarget(ctx: BackupContext, planned: PlannedTarget): Promise<Prepared> {
  const { target, objectName } = planned;
  const done = (report: TargetReport<BackupOutcome>): Prepared => ({ kind: 'done', report });
  ctx.deps.logger.event('backup.started', `backup of ${target.database} started`, {
    ...targetFields(ctx, planned),
    force: ctx.force,
  });
  try {
    const existing = ctx.force ? null : await getObject(ctx.bucket, objectName);
    if (existing) return done(await existingOutcome(ctx, planned, existing));
    const session = await openSession(ctx.bucket, objectName, {
      force: ctx.force,
      contentType: contentTypeOf(target),
      // Which run and target opened it: how `verify` and a later `exists` find the job that wrote it.
      metadata: { runId: ctx.runId, targetId: target.id, database: target.database, engine: target.engine },
    });
    if (session.kind === 'created') return { kind: 'ready', planned, sessionUri: session.uri };
    // Created between the look-up and the session (a service that checks preconditions at creation).
    const raced = await getObject(ctx.bucket, objectName);
    if (raced) return done(await existingOutcome(ctx, planned, raced));
    return done(
      backupFailed(ctx, planned, {
        code: 'SESSION_REFUSED',
        message: `${objectName}: precondition failed, yet no object`,
      }),
    );
  } catch (error) {
    return done(backupFailed(ctx, planned, errorFailure(error)));
  }
}
