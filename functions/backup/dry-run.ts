// What a dry run reports for a target, changing nothing: the object tonight's backup would write and the class it
// would get if it succeeds, and every backup of the target in the bucket proven ours with its class and retention end.
import type { Bucket } from '@google-cloud/storage';
import type { FunctionConfig } from '../config/schema.js';
import { listProvenBackups } from '../object/proven-backups.js';
import { retentionPolicy } from '../retention/classes.js';
import { classifyAmong } from '../retention/classify.js';
import { keptBackups } from '../retention/plan.js';
import type { PlannedTarget } from '../run/plan.js';
import { type BackupOutcome, reportFor, type TargetReport } from '../run/report.js';

export async function dryRunTarget(
  config: FunctionConfig,
  bucket: Bucket,
  planned: PlannedTarget,
  now: Date,
): Promise<TargetReport<BackupOutcome>> {
  const { proven: backups } = await listProvenBackups(bucket, config, planned.target, now);
  const copy = classifyAmong(backups, planned.date, retentionPolicy(config));
  return reportFor(planned, 'planned', {
    note: 'dry run: nothing was started',
    retention: { class: copy.class, keptUntil: copy.until.toISOString() },
    kept: keptBackups(backups),
  });
}
