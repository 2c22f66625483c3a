// One small object per database, `<prefix>_status/<targetId>`, whose custom metadata keeps the last backup attempt,
// on-demand restore, drill and deep check with their outcomes — where `status` finds a failure that left no object,
// without reading logs. The function may create objects and patch metadata but not delete or overwrite (no delete
// permission), so the object is made once and only its metadata changes; it has no customTime, so the retention
// rule never deletes it, and no backup can have its name (no database name starts with `_`). Each entry is signed
// with the function's key, bound to its bucket, record and kind: whoever may write metadata could otherwise turn a
// failed drill into a passed one. A signed entry can still be put back over a later one of the same kind; status
// shows every entry's time, and judges the backups themselves, not the record, for their age.
import type { Bucket } from '@google-cloud/storage';
import type { SigningKey, TrustedKeys } from '../../core/signing/index.js';
import { type SealProblem, seal, sealProblem } from '../../core/signing/statement.js';
import type { FunctionConfig } from '../config/schema.js';
import { attestationKeys } from '../object/attestation.js';
import { getObject, statusOf } from '../storage/objects.js';

const STATUS_FOLDER = '_status/';
const SEAL_PREFIX = 'db-backup-status-record/v1\n';
/** Each entry's seal is kept beside it, under its kind's name with this suffix: `<key id> <signature>`. */
const SEAL_SUFFIX = 'Seal';

/** The function's key that signs new entries, and the keys whose entries are believed (its own and retired ones). */
export interface RecordKeys {
  signing: SigningKey;
  trusted: TrustedKeys;
}

export const recordKeys = (config: FunctionConfig): RecordKeys => ({
  signing: config.signingKey,
  trusted: attestationKeys(config.signingKey, config.retiredSigningKeys),
});

/** A point-in-time database's drill is recorded twice: as its last drill, and as its last drill at a moment. */
export const RECORD_KINDS = ['backup', 'restore', 'drill', 'deepCheck', 'pointInTimeDrill'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

export interface RecordEntry {
  /** When it ended (or was last seen, for one still running). */
  at: string;
  runId: string;
  /** The run's outcome for the target, e.g. succeeded, failed, restored, passed. */
  outcome: string;
  /** Which run kind wrote it: a backup attempt is also settled later by verify. */
  by: 'backup' | 'verify' | 'restore';
  objectName?: string;
  /** The date of the backup it concerns, yyyyMMdd. */
  date?: string;
  error?: { code: string; message: string };
  /** An attempt still running: when its agent stops it. */
  deadline?: string;
  /** A restore to a moment: the moment (ISO). */
  moment?: string;
}

export type TargetRecord = Partial<Record<RecordKind, RecordEntry>>;

/** Custom metadata holds 8 KiB in all: an error's message is cut to this. */
const MAX_MESSAGE = 400;
/** A write that meets another writer is decided again against the record as it then is, this many times. */
const ATTEMPTS = 4;

function recordName(prefix: string, targetId: string): string {
  return `${prefix}${STATUS_FOLDER}${targetId}`;
}

function parseEntry(value: string | undefined): RecordEntry | undefined {
  if (!value) return undefined;
  try {
    return JSON.parse(value) as RecordEntry;
  } catch {
    return undefined;
  }
}

const sealed = (bucket: Bucket, name: string, kind: RecordKind, value: string) => [
  bucket.name,
  name,
  kind,
  value,
];

/** Why the entry of `kind` in `metadata` is not the function's; null when it is, or when there is none. */
function entryProblem(
  bucket: Bucket,
  name: string,
  kind: RecordKind,
  metadata: Record<string, string>,
  trusted: TrustedKeys,
): SealProblem | null {
  const value = metadata[kind];
  if (value === undefined) return null;
  const [keyId, signature] = (metadata[kind + SEAL_SUFFIX] ?? '').split(' ');
  return sealProblem(SEAL_PREFIX, sealed(bucket, name, kind, value), { keyId, signature }, trusted);
}

/** An entry the record holds that the function did not write: left out of the record, and a problem of its own. */
export interface UnprovenEntry {
  kind: RecordKind;
  why: SealProblem;
}

export interface ReadRecord {
  record: TargetRecord;
  unproven: UnprovenEntry[];
}

function parseRecord(
  bucket: Bucket,
  name: string,
  metadata: Record<string, string>,
  trusted: TrustedKeys,
): ReadRecord {
  const read: ReadRecord = { record: {}, unproven: [] };
  for (const kind of RECORD_KINDS) {
    const why = entryProblem(bucket, name, kind, metadata, trusted);
    const entry = parseEntry(metadata[kind]);
    if (why) read.unproven.push({ kind, why });
    else if (entry) read.record[kind] = entry;
  }
  return read;
}

/** The target's record, only what the function signed; empty when nothing was recorded yet. */
export async function readRecord(
  bucket: Bucket,
  prefix: string,
  targetId: string,
  trusted: TrustedKeys,
): Promise<ReadRecord> {
  const name = recordName(prefix, targetId);
  const info = await getObject(bucket, name);
  return info ? parseRecord(bucket, name, info.metadata, trusted) : { record: {}, unproven: [] };
}

const serialise = (entry: RecordEntry): string =>
  JSON.stringify(
    entry.error
      ? { ...entry, error: { ...entry.error, message: entry.error.message.slice(0, MAX_MESSAGE) } }
      : entry,
  );

/**
 * Records `entry` as the target's last `kind`, unless `replaces` says the entry already there is the later one.
 * The record is created if absent (create-only); a change is conditioned on the metageneration read, so two runs
 * writing at once each decide against what the other wrote.
 */
export async function recordEntry(
  bucket: Bucket,
  prefix: string,
  targetId: string,
  keys: RecordKeys,
  kind: RecordKind,
  entry: RecordEntry,
  replaces: (current: RecordEntry | undefined) => boolean = () => true,
): Promise<void> {
  const name = recordName(prefix, targetId);
  const file = bucket.file(name);
  const value = serialise(entry);
  const { keyId, signature } = seal(SEAL_PREFIX, sealed(bucket, name, kind, value), keys.signing);
  const metadata = { [kind]: value, [kind + SEAL_SUFFIX]: `${keyId} ${signature}` };
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const info = await getObject(bucket, name);
    try {
      if (!info) {
        await file.save(`${JSON.stringify({ statusOf: targetId })}\n`, {
          resumable: false,
          contentType: 'application/json',
          metadata: { metadata },
          preconditionOpts: { ifGenerationMatch: 0 },
        });
        return;
      }
      // An entry the function did not sign decides nothing: a planted later date must not hold verify's word off.
      const current = parseRecord(bucket, name, info.metadata, keys.trusted).record[kind];
      if (!replaces(current)) return;
      await file.setMetadata({ metadata }, { ifMetagenerationMatch: Number(info.metageneration) });
      return;
    } catch (error) {
      if (statusOf(error) !== 412 || attempt === ATTEMPTS) throw error;
    }
  }
}
