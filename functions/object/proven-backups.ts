// A target's backups as restore, the drill, retention and `list` may use them: every object that claims to be a
// checked backup must carry the function's attestation of exactly that object, and no backup is dated after today.
// What fails either is not ours: left out, and each one named in an alerting line (OBJECT_UNPROVEN) by whoever asked.
import type { Bucket } from '@google-cloud/storage';
import { backupDate } from '../../core/object-name.js';
import type { TrustedKeys } from '../../core/signing/index.js';
import type { FunctionConfig, Target } from '../config/schema.js';
import type { LogFields, Logger } from '../logging/logger.js';
import { listTargetBackups, type TargetBackup } from '../storage/target-backups.js';
import { attestationKeys, attestationProblem } from './attestation.js';
import { isVerified, knownFault } from './good-backup.js';

export interface UnprovenBackup {
  backup: TargetBackup;
  /** Why it is not taken for ours, in a sentence. */
  why: string;
  /** It claims to be a checked backup and lacks only the attestation: its agent's record may still prove it. */
  attestable: boolean;
}

export interface ProvenBackups {
  /** Newest first: the attested ones, and those not checked yet (which claim nothing). */
  proven: TargetBackup[];
  unproven: UnprovenBackup[];
}

export interface ProofContext {
  bucket: string;
  keys: TrustedKeys;
  /** Today, yyyyMMdd, in the configured time zone. */
  today: string;
}

function proofContext(config: FunctionConfig, now: Date): ProofContext {
  return {
    bucket: config.bucket,
    keys: attestationKeys(config.signingKey, config.retiredSigningKeys),
    today: backupDate(now, config.timeZone),
  };
}

/** Why a backup is not ours; null when it is (or when it is not checked yet, and so claims nothing). */
function unproven(backup: TargetBackup, ctx: ProofContext): UnprovenBackup | null {
  // Named for a day still to come, it would be the newest backup for ever.
  if (backup.date > ctx.today) {
    return { backup, why: `it is dated ${backup.date}, after today (${ctx.today})`, attestable: false };
  }
  if (!isVerified(backup.info)) return null;
  const why = attestationProblem(ctx.bucket, backup.info, ctx.keys);
  return why ? { backup, why, attestable: !knownFault(backup.info) } : null;
}

export function sortProven(backups: readonly TargetBackup[], ctx: ProofContext): ProvenBackups {
  const sorted: ProvenBackups = { proven: [], unproven: [] };
  for (const backup of backups) {
    const found = unproven(backup, ctx);
    if (found) sorted.unproven.push(found);
    else sorted.proven.push(backup);
  }
  return sorted;
}

export async function listProvenBackups(
  bucket: Bucket,
  config: FunctionConfig,
  target: Target,
  now: Date,
  /** Every generation kept, each proven on its own (an attestation names its generation); the live ones by default. */
  versions = false,
): Promise<ProvenBackups> {
  return sortProven(
    await listTargetBackups(bucket, config.prefix, target, versions),
    proofContext(config, now),
  );
}

/** One alerting line per object left out, naming it and why: the admin must find out who wrote it. */
export function reportUnproven(logger: Logger, unproven: readonly UnprovenBackup[], fields: LogFields): void {
  for (const { backup, why } of unproven) {
    logger.event(
      'object.unproven',
      `${backup.info.name} (generation ${backup.info.generation}) is not proven ours and was left out: ${why}`,
      {
        ...fields,
        object: backup.info.name,
        generation: backup.info.generation,
        errorCode: 'OBJECT_UNPROVEN',
      },
    );
  }
}
