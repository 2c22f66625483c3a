// One small object per database, `<prefix>_status/<targetId>`, whose custom metadata keeps the last backup attempt,
// on-demand restore, drill and deep check with their outcomes — where `status` finds a failure that left no object,
// without reading logs. The function may create objects and patch metadata but not delete or overwrite (no delete
// permission), so the object is made once and only its metadata changes; it has no customTime, so the retention
// rule never deletes it, and no backup can have its name (no database name starts with `_`).
import type { Bucket } from '@google-cloud/storage';
import { getObject, statusOf } from '../storage/objects.js';

const STATUS_FOLDER = '_status/';

export const RECORD_KINDS = ['backup', 'restore', 'drill', 'deepCheck'] as const;
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

function parseRecord(metadata: Record<string, string>): TargetRecord {
  const record: TargetRecord = {};
  for (const kind of RECORD_KINDS) {
    const entry = parseEntry(metadata[kind]);
    if (entry) record[kind] = entry;
  }
  return record;
}

/** The target's record; empty when nothing was recorded yet. */
export async function readRecord(bucket: Bucket, prefix: string, targetId: string): Promise<TargetRecord> {
  const info = await getObject(bucket, recordName(prefix, targetId));
  return info ? parseRecord(info.metadata) : {};
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
  kind: RecordKind,
  entry: RecordEntry,
  replaces: (current: RecordEntry | undefined) => boolean = () => true,
): Promise<void> {
  const name = recordName(prefix, targetId);
  const file = bucket.file(name);
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const info = await getObject(bucket, name);
    try {
      if (!info) {
        await file.save(`${JSON.stringify({ statusOf: targetId })}\n`, {
          resumable: false,
          contentType: 'application/json',
          metadata: { metadata: { [kind]: serialise(entry) } },
          preconditionOpts: { ifGenerationMatch: 0 },
        });
        return;
      }
      if (!replaces(parseEntry(info.metadata[kind]))) return;
      await file.setMetadata(
        { metadata: { [kind]: serialise(entry) } },
        { ifMetagenerationMatch: Number(info.metageneration) },
      );
      return;
    } catch (error) {
      if (statusOf(error) !== 412 || attempt === ATTEMPTS) throw error;
    }
  }
}
