// Every backup of the targets asked for, newest first: its date, size, storage class, expiry, retention class,
// whether it was verified, deep-checked or drilled, and whether it is good — read only, for `db-backup list`. Only
// backups proven ours are listed as backups; the objects that claim to be and are not are named apart, and alerted.
import { BackupError } from '../../core/errors.js';
import type { EngineName } from '../../core/formats.js';
import type { FunctionConfig } from '../config/schema.js';
import { flag, nameList, requestFields } from '../http/request-fields.js';
import {
  CHECK_FAILED_KEY,
  DEEP_CHECK_FAILED_KEY,
  DEEP_CHECKED_KEY,
  isGoodBackup,
  VERIFIED_KEY,
} from '../object/good-backup.js';
import { listProvenBackups, reportUnproven } from '../object/proven-backups.js';
import {
  DRILL_FAILED_KEY,
  DRILL_RECOVERY_KEY,
  DRILL_STATE_KEY,
  DRILLED_KEY,
} from '../restore/drill-marks.js';
import { readRetention } from '../retention/metadata.js';
import type { FunctionDeps } from '../run/deps.js';
import { selectTargets } from '../run/plan.js';

export interface ListedBackup {
  objectName: string;
  /** yyyyMMdd, from its name. */
  date: string;
  size: number;
  generation: string;
  createdAt: string;
  /** With `all`: since when this generation is noncurrent (a newer one replaced it, or it expired); absent for the live one. */
  noncurrentSince?: string;
  storageClass?: string;
  /** Its customTime: when Cloud Storage's lifecycle deletes it. */
  expiresAt?: string;
  /** daily, weekly, monthly or yearly, as retention recorded it. */
  retentionClass?: string;
  verifiedAt?: string;
  checkFailed?: string;
  /** When a deep check last read every byte, and what it found wrong, if anything. */
  deepCheckedAt?: string;
  deepCheckFailed?: string;
  /** Checked and never found wrong: what restore and the drill may read, and retention keeps as a copy. */
  good: boolean;
  drill?: { state?: string; drilledAt?: string; failed?: string; recoveryMs?: number };
}

/** An object under a backup's name that is not proven ours: never listed as a backup. */
export interface UnprovenObject {
  objectName: string;
  generation: string;
  why: string;
}

export interface ListReport {
  kind: 'list';
  listedAt: string;
  /** Every generation kept of each name, the noncurrent ones too (kept noncurrent_version_retention_days). */
  all?: boolean;
  targets: {
    targetId: string;
    database: string;
    engine: EngineName;
    backups: ListedBackup[];
    unproven?: UnprovenObject[];
  }[];
}

export interface ListRequest {
  databases?: string[];
  /** Every generation kept of each name, not only the live ones. */
  all?: boolean;
}

export function parseListRequest(query: Record<string, unknown>, body: unknown): ListRequest {
  const fields = requestFields(query, body);
  const databases = nameList(fields.database ?? fields.databases, 'database');
  const all = flag(fields.all, 'all');
  return { ...(databases && { databases }), ...(all && { all }) };
}

const defined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined && item !== '')) as T;

export async function runList(
  config: FunctionConfig,
  deps: FunctionDeps,
  request: ListRequest,
): Promise<ListReport> {
  const now = deps.clock.now();
  const bucket = deps.storage.bucket(config.bucket);
  const targets = [];
  for (const target of selectTargets(config, request.databases)) {
    const { proven, unproven } = await listProvenBackups(bucket, config, target, now, request.all).catch(
      (error: Error) => {
        throw new BackupError('INTERNAL', `cannot list the backups of ${target.id}: ${error.message}`, {
          cause: error,
        });
      },
    );
    reportUnproven(deps.logger, unproven, { targetId: target.id, database: target.database });
    targets.push({
      targetId: target.id,
      database: target.database,
      engine: target.engine,
      ...(unproven.length > 0 && {
        unproven: unproven.map(({ backup, why }) => ({
          objectName: backup.info.name,
          generation: backup.info.generation,
          why,
        })),
      }),
      backups: proven.map(({ info, date }): ListedBackup => {
        const meta = info.metadata;
        const drill = defined({
          state: meta[DRILL_STATE_KEY],
          drilledAt: meta[DRILLED_KEY],
          failed: meta[DRILL_FAILED_KEY],
          recoveryMs: meta[DRILL_RECOVERY_KEY] ? Number(meta[DRILL_RECOVERY_KEY]) : undefined,
        });
        return defined({
          objectName: info.name,
          date,
          size: info.size,
          generation: info.generation,
          createdAt: info.timeCreated,
          noncurrentSince: info.timeDeleted,
          storageClass: info.storageClass,
          expiresAt: info.customTime,
          retentionClass: readRetention(info)?.class ?? undefined,
          verifiedAt: meta[VERIFIED_KEY],
          checkFailed: meta[CHECK_FAILED_KEY],
          deepCheckedAt: meta[DEEP_CHECKED_KEY],
          deepCheckFailed: meta[DEEP_CHECK_FAILED_KEY],
          good: isGoodBackup(info),
          drill: Object.keys(drill).length > 0 ? drill : undefined,
        });
      }),
    });
  }
  deps.logger.event('list.listed', `listed the backups of ${targets.length} target(s)`, {
    backups: targets.reduce((sum, target) => sum + target.backups.length, 0),
  });
  return { kind: 'list', listedAt: now.toISOString(), ...(request.all && { all: true }), targets };
}
