// The watchdog's part in retention: while a target has no newer good backup, the customTime of its newest good copy
// is pushed ahead on every run, so failures that go on for weeks never leave a database with no backup at all.
import type { Bucket } from '@google-cloud/storage';
import type { FunctionConfig, Target } from '../config/schema.js';
import { listProvenBackups } from '../object/proven-backups.js';
import { updateObject } from '../storage/update-object.js';
import { retentionPolicy } from './classes.js';
import { planNewest } from './plan.js';

export interface NewestKept {
  objectName: string;
  /** Its customTime now: as long as a backup made today would be kept. */
  keptUntil: string;
}

/**
 * Moves the newest good copy's customTime forward to the end of today's daily copy when its own class would end
 * sooner; undefined when nothing needed moving. A copy without a customTime (from before retention) never expires
 * and is left to the `retention` function.
 */
export async function holdNewest(
  bucket: Bucket,
  config: FunctionConfig,
  target: Target,
  now: Date,
): Promise<NewestKept | undefined> {
  const { proven } = await listProvenBackups(bucket, config, target, now);
  const newest = planNewest(proven, now, retentionPolicy(config));
  if (!newest?.held || !newest.update || newest.backup.info.customTime === undefined) return undefined;
  const written = await updateObject(bucket, newest.backup.info, newest.update);
  return { objectName: written.name, keptUntil: new Date(written.customTime as string).toISOString() };
}
