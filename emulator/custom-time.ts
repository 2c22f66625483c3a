// An object's customTime: read as RFC 3339, and only ever moved forward, as Cloud Storage enforces.
import { badRequest } from './json-errors.js';
import { parseRfc3339 } from './rfc3339.js';

/** Reads a customTime sent by a client into the JSON API's UTC form; 400 when it is not an RFC 3339 time. */
export function parseCustomTime(value: unknown): string {
  return parseRfc3339(value, 'customTime').toISOString();
}

/**
 * Refuses a change that moves customTime back or removes it. Cloud Storage documents that customTime "cannot be
 * removed and cannot be set to an earlier datetime" (cloud.google.com/storage/docs/metadata#custom-time) and
 * answers a move back with 400 "Custom time cannot be decreased. Previously: <t>. Attempting to set: <t>.", the
 * times written with an explicit +00:00 (as quoted from the service by gcsfuse users and reproduced by the
 * floci-gcp emulator, src/.../gcs/GcsCustomTime.java). No message for a removal is documented; this one is ours.
 */
export function checkCustomTimeChange(previous: string | undefined, next: string | null): void {
  if (previous === undefined) return;
  if (next === null) throw badRequest('Custom time cannot be removed.');
  if (Date.parse(next) < Date.parse(previous)) {
    throw badRequest(
      `Custom time cannot be decreased. Previously: ${asInError(previous)}. Attempting to set: ${asInError(next)}.`,
    );
  }
}

/** `2024-01-01T00:00:00.500Z` as the service writes it in the error: `2024-01-01T00:00:00.5+00:00`. */
function asInError(time: string): string {
  return time.replace(/\.?0*Z$/, '+00:00');
}
