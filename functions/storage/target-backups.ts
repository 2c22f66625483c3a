// A target's backups in the bucket, newest first: what the shrink check compares with and retention classifies; with
// every generation kept, what `list --all` shows and `restore --generation` picks from.
import type { Bucket } from '@google-cloud/storage';
import { backupExtension } from '../../core/formats.js';
import { parseObjectName } from '../../core/object-name.js';
import type { Target } from '../config/schema.js';
import { type ObjectInfo, objectInfo } from './objects.js';

export interface TargetBackup {
  info: ObjectInfo;
  /** The date in its name, yyyyMMdd. */
  date: string;
}

/** Newest first: by date, then (with every generation) by generation. */
function newestFirst(a: TargetBackup, b: TargetBackup): number {
  const byDate = b.date.localeCompare(a.date);
  if (byDate !== 0) return byDate;
  // Generations are decimal integers beyond a double's precision: the longer is the larger.
  return (
    b.info.generation.length - a.info.generation.length || b.info.generation.localeCompare(a.info.generation)
  );
}

export async function listTargetBackups(
  bucket: Bucket,
  prefix: string,
  target: Target,
  /** Every generation the versioned bucket keeps of each name, the replaced ones too; the live ones only by default. */
  versions = false,
): Promise<TargetBackup[]> {
  // Plain and encrypted alike: a target that turned encryption on still restores and keeps its earlier backups.
  const exts = [false, true].map((encrypted) =>
    backupExtension(target.engine, target.compression.algorithm, encrypted),
  );
  const [files] = await bucket.getFiles({
    prefix: `${prefix}${target.database}_`,
    autoPaginate: true,
    ...(versions && { versions }),
  });
  const backups: TargetBackup[] = [];
  for (const file of files) {
    const parsed = parseObjectName(file.name, { prefix });
    if (parsed?.database !== target.database || !exts.includes(parsed.ext)) continue;
    backups.push({ info: objectInfo({ ...file.metadata, name: file.name }), date: parsed.date });
  }
  return backups.sort(newestFirst);
}
