// `status`: each database's health in one answer (kind "status"), with every problem found across them — read
// only, from the bucket (the backups and each database's status record); an agent is asked only, for an encrypted
// newest backup, which recipients its identities open.
// Only backups proven ours count; an object that claims to be one and is not is a problem of its own.
import { BackupError } from '../../core/errors.js';
import type { FunctionConfig } from '../config/schema.js';
import { listProvenBackups } from '../object/proven-backups.js';
import type { FunctionDeps } from '../run/deps.js';
import { selectTargets } from '../run/plan.js';
import { judgeTarget, type Problem, type TargetStatus } from './judge-target.js';
import { createOpenableCheck } from './openable.js';
import { recoveryPoint } from './recovery-point.js';
import { readRecord, recordKeys, type UnprovenEntry } from './status-record.js';

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

const RECORD_PROBLEM: Record<UnprovenEntry['why'], string> = {
  unsealed:
    'carries no signature of the function: written before records were signed (the next one replaces it) or by someone else',
  'untrusted-key':
    "is signed by a key the function does not trust: a retired key missing from BACKUP_RETIRED_SIGNING_KEYS, or not the function's",
  'not-over-fields': 'was changed after the function signed it: find out who wrote it',
};

const recordProblem = ({ kind, why }: UnprovenEntry) => ({
  code: 'RECORD_UNPROVEN' as const,
  message: `the record of its last ${kind === 'deepCheck' ? 'deep check' : kind} ${RECORD_PROBLEM[why]}; it is left out`,
});

export async function runStatus(
  config: FunctionConfig,
  deps: FunctionDeps,
  request: { databases?: string[] },
): Promise<StatusReport> {
  const now = deps.clock.now();
  const bucket = deps.storage.bucket(config.bucket);
  const keys = recordKeys(config);
  const targets: TargetStatus[] = [];
  const openable = createOpenableCheck(deps.agent);
  for (const target of selectTargets(config, request.databases)) {
    const [{ proven, unproven }, { record, unproven: unsigned }] = await Promise.all([
      listProvenBackups(bucket, config, target, now),
      readRecord(bucket, config.prefix, target.id, keys.trusted),
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
    const locked = await openable(target, proven);
    const point = await recoveryPoint(bucket, config, target, now);
    targets.push({
      ...judged,
      ...(point.recoveryPoint && { recoveryPoint: point.recoveryPoint }),
      problems: [
        ...judged.problems,
        ...strangers,
        ...unsigned.map(recordProblem),
        ...(locked ? [locked] : []),
        ...point.problems,
      ],
    });
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
