// A target's backups in the bucket, newest first: what the shrink check compares with and retention classifies.
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

export async function listTargetBackups(
  bucket: Bucket,
  prefix: string,
  target: Target,
): Promise<TargetBackup[]> {
  const ext = backupExtension(target.engine, target.compression.algorithm);
  const [files] = await bucket.getFiles({ prefix: `${prefix}${target.database}_`, autoPaginate: true });
  const backups: TargetBackup[] = [];
  for (const file of files) {
    const parsed = parseObjectName(file.name, { prefix });
    if (parsed?.database !== target.database || parsed.ext !== ext) continue;
    backups.push({ info: objectInfo({ ...file.metadata, name: file.name }), date: parsed.date });
  }
  return backups.sort((a, b) => b.date.localeCompare(a.date));
}
