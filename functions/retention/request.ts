// What a caller may ask of the `retention` function — which databases, and a dry run — from its query or JSON body.
import { flag, nameList, requestFields } from '../http/request-fields.js';

export interface RetentionRequest {
  /** Database names or target ids; every target when omitted. */
  databases?: string[];
  /** Report what would change, and change nothing. */
  dryRun: boolean;
}

export function parseRetentionRequest(query: Record<string, unknown>, body: unknown): RetentionRequest {
  const fields = requestFields(query, body);
  const databases = nameList(fields.databases, 'databases');
  return { ...(databases && { databases }), dryRun: flag(fields.dryRun, 'dryRun') };
}
