// The bucket object that claims a scheduled execution's one alert: created only if absent, so a retry finds it.
import type { Bucket } from '@google-cloud/storage';
import { statusOf } from '../storage/objects.js';

/** Custom metadata of a marker: who holds it and how its send went. */
const MARKER_STATE_KEY = 'alertState';
export type MarkerState = 'sending' | 'sent' | 'failed';

export type Claim =
  /** This run holds the marker and sends; `metageneration` lets it record how the send went. */
  | { kind: 'claimed'; metageneration: string }
  /** Another run of the same execution sent (or is sending) the alert. */
  | { kind: 'taken'; runId?: string; state?: string }
  /** The marker could not be written or read: the caller sends anyway. */
  | { kind: 'unknown'; reason: string };

export interface MarkerContent {
  runId: string;
  subject: string;
  kind: string;
  jobName: string;
  scheduleTime: string;
}

/**
 * A marker still `sending` after this long belongs to a run that died between claiming and sending (a send
 * takes seconds); the next retry takes it over, so a crashed instance cannot silence the execution's alert.
 */
export const STALE_SENDING_MS = 10 * 60 * 1000;

function reason(error: unknown): string {
  const status = statusOf(error);
  return `${status ? `HTTP ${status}: ` : ''}${(error as Error)?.message ?? error}`;
}

/**
 * Creates the marker with ifGenerationMatch=0. When it exists, a marker whose send failed, or that has been
 * `sending` for too long, is taken over (a metadata patch guarded by its metageneration, as the function may
 * not overwrite or delete objects), so neither a Gmail outage nor a crash on the first attempt silences the
 * retries.
 */
export async function claimMarker(
  bucket: Bucket,
  name: string,
  content: MarkerContent,
  now: Date,
): Promise<Claim> {
  const file = bucket.file(name);
  const metadata = { runId: content.runId, [MARKER_STATE_KEY]: 'sending' satisfies MarkerState };
  try {
    await file.save(`${JSON.stringify(content)}\n`, {
      resumable: false,
      contentType: 'application/json',
      metadata: { metadata },
      preconditionOpts: { ifGenerationMatch: 0 },
    });
    return { kind: 'claimed', metageneration: String(file.metadata.metageneration ?? '1') };
  } catch (error) {
    if (statusOf(error) !== 412) return { kind: 'unknown', reason: reason(error) };
  }
  try {
    const [meta] = await file.getMetadata();
    const custom = meta.metadata ?? {};
    const state = custom[MARKER_STATE_KEY] == null ? undefined : String(custom[MARKER_STATE_KEY]);
    const runId = custom.runId == null ? undefined : String(custom.runId);
    const updated = meta.updated ? Date.parse(meta.updated) : Number.NaN;
    const abandoned = state === 'sending' && now.getTime() - updated > STALE_SENDING_MS;
    if (state !== 'failed' && !abandoned) {
      return { kind: 'taken', ...(runId && { runId }), ...(state && { state }) };
    }
    const [patched] = await file.setMetadata(
      { metadata },
      { ifMetagenerationMatch: Number(meta.metageneration) },
    );
    return { kind: 'claimed', metageneration: String(patched.metageneration) };
  } catch (error) {
    // Another retry took the marker over first.
    if (statusOf(error) === 412) return { kind: 'taken' };
    return { kind: 'unknown', reason: reason(error) };
  }
}

/** Records how the send went on a marker this run holds. */
export async function recordSend(
  bucket: Bucket,
  name: string,
  claim: Extract<Claim, { kind: 'claimed' }>,
  state: Exclude<MarkerState, 'sending'>,
): Promise<void> {
  await bucket
    .file(name)
    .setMetadata(
      { metadata: { [MARKER_STATE_KEY]: state } },
      { ifMetagenerationMatch: Number(claim.metageneration) },
    );
}
