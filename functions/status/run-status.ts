// `status`: each database's health in one answer (kind "status"), with every problem found across them — read
// only, from the bucket alone (the backups and each database's status record), so it answers without any agent.
// Only backups proven ours count; an object that claims to be one and is not is a problem of its own.
import { BackupError } from '../../core/errors.js';
import type { FunctionConfig } from '../config/schema.js';
import { listProvenBackups } from '../object/proven-backups.js';
import type { FunctionDeps } from '../run/deps.js';
import { selectTargets } from '../run/plan.js';
import { judgeTarget, type Problem, type TargetStatus } from './judge-target.js';
import { readRecord } from './status-record.js';

export interface StatusReport {
  kind: 'status';
  checkedAt: string;
  /** The backup's cron and zone, against which each newest good backup's age is judged. */
  schedule: string;
  timeZone: string;
  targets: TargetStatus[];
  /** Every target's problems in one list: empty when all is well. */
  problems: (Problem & { targetId: string })[];
}

export async function runStatus(
  config: FunctionConfig,
  deps: FunctionDeps,
  request: { databases?: string[] },
): Promise<StatusReport> {
  const now = deps.clock.now();
  const bucket = deps.storage.bucket(config.bucket);
  const targets: TargetStatus[] = [];
  for (const target of selectTargets(config, request.databases)) {
    const [{ proven, unproven }, record] = await Promise.all([
      listProvenBackups(bucket, config, target, now),
      readRecord(bucket, config.prefix, target.id),
    ]).catch((error: Error) => {
      throw new BackupError('INTERNAL', `cannot read the state of ${target.id}: ${error.message}`, {
        cause: error,
      });
    });
    const judged = judgeTarget(config, target, proven, record, now);
    const strangers = unproven.map(({ backup, why }) => ({
      code: 'OBJECT_UNPROVEN' as const,
      message: `${backup.info.name} (generation ${backup.info.generation}) is not proven ours and is left out: ${why}; find out who wrote it`,
    }));
    targets.push({ ...judged, problems: [...judged.problems, ...strangers] });
  }
  const problems = targets.flatMap((target) =>
    target.problems.map((problem) => ({ targetId: target.targetId, ...problem })),
  );
  deps.logger.event(
    'status.checked',
    `status of ${targets.length} target(s): ${problems.length} problem(s)`,
    {
      problems: problems.length,
    },
  );
  return {
    kind: 'status',
    checkedAt: now.toISOString(),
    schedule: config.schedule,
    timeZone: config.timeZone,
    targets,
    problems,
  };
}
