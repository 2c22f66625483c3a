// The targets a run covers, in configured order; for the runs about one day's backups, each with its object name
// for that date.
import { BackupError } from '../../core/errors.js';
import { backupExtension } from '../../core/formats.js';
import { backupDate, objectName } from '../../core/object-name.js';
import type { FunctionConfig, Target } from '../config/schema.js';

/** A target and the object a run is about: empty for a restore that found no backup to read. */
export interface TargetObject {
  target: Target;
  objectName: string;
}

export interface PlannedTarget extends TargetObject {
  /** The date in the object's name, yyyyMMdd. */
  date: string;
}

/**
 * The configured targets `databases` (names or target ids) names, in configured order; all when it names none.
 * Naming one that is not configured is an error.
 */
export function selectTargets(config: FunctionConfig, wanted: readonly string[] | undefined): Target[] {
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
  return config.targets.filter(
    (target) => !wanted || wanted.includes(target.database) || wanted.includes(target.id),
  );
}

/** The targets a backup, verify or retention run covers, each with its object name for the run's date. */
export function planRun(
  config: FunctionConfig,
  request: { databases?: string[] },
  startedAt: Date,
): PlannedTarget[] {
  const date = backupDate(startedAt, config.timeZone);
  return selectTargets(config, request.databases).map((target) => ({
    target,
    date,
    objectName: objectName(target.database, startedAt, {
      timeZone: config.timeZone,
      prefix: config.prefix,
      ext: backupExtension(target.engine, target.compression.algorithm, target.encryption === 'required'),
    }),
  }));
}
