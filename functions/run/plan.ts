// The targets a run covers, in configured order, each with its object name for the run's date.
import { BackupError } from '../../core/errors.js';
import { backupExtension } from '../../core/formats.js';
import { backupDate, objectName } from '../../core/object-name.js';
import type { FunctionConfig, Target } from '../config/schema.js';

export interface PlannedTarget {
  target: Target;
  objectName: string;
  /** The date in the object's name, yyyyMMdd. */
  date: string;
}

/** `databases` (names or target ids) narrows the run; naming one that is not configured is an error. */
export function planRun(
  config: FunctionConfig,
  request: { databases?: string[] },
  startedAt: Date,
): PlannedTarget[] {
  const wanted = request.databases;
  if (wanted) {
    const unknown = wanted.filter(
      (name) => !config.targets.some((t) => t.database === name || t.id === name),
    );
    if (unknown.length > 0) {
      // The configured names, so whoever mistyped one reads the right spelling in the same answer.
      const configured = config.targets.map((t) =>
        t.id === t.database ? t.id : `${t.database} (id ${t.id})`,
      );
      throw new BackupError(
        'TARGET_UNKNOWN',
        `databases: not configured: ${unknown.map((name) => JSON.stringify(name)).join(', ')}; configured: ${configured.join(', ')}`,
      );
    }
  }
  const date = backupDate(startedAt, config.timeZone);
  return config.targets
    .filter((target) => !wanted || wanted.includes(target.database) || wanted.includes(target.id))
    .map((target) => ({
      target,
      date,
      objectName: objectName(target.database, startedAt, {
        timeZone: config.timeZone,
        prefix: config.prefix,
        ext: backupExtension(target.engine, target.compression.algorithm),
      }),
    }));
}
