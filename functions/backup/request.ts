// What a caller may ask of a backup run — which databases, force, dry run — from its query string or JSON body.
import { flag, nameList, requestFields } from '../http/request-fields.js';

export interface BackupRequest {
  /** Database names or target ids; every target when omitted. */
  databases?: string[];
  force: boolean;
  dryRun: boolean;
}

export function parseBackupRequest(query: Record<string, unknown>, body: unknown): BackupRequest {
  const fields = requestFields(query, body);
  const databases = nameList(fields.databases, 'databases');
  return {
    ...(databases && { databases }),
    force: flag(fields.force, 'force'),
    dryRun: flag(fields.dryRun, 'dryRun'),
  };
}
