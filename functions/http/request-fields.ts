// Reading a caller's request fields from the query string and a JSON body alike, with errors naming the field.
import { BackupError } from '../../core/errors.js';

/** Query string and JSON body merged (Cloud Scheduler posts a body; people type query strings). */
export function requestFields(query: Record<string, unknown>, body: unknown): Record<string, unknown> {
  return { ...query, ...(typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) };
}

export function flag(value: unknown, name: string): boolean {
  if (
    value === undefined ||
    value === null ||
    value === '' ||
    value === false ||
    value === 'false' ||
    value === '0'
  ) {
    return false;
  }
  if (value === true || value === 'true' || value === '1') return true;
  throw new BackupError('REQUEST_INVALID', `${name}: must be true or false`);
}

/** `a,b` or ["a","b"]; undefined when absent. */
export function nameList(value: unknown, name: string): string[] | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const parts = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : null;
  if (!parts || parts.some((part) => typeof part !== 'string')) {
    throw new BackupError('REQUEST_INVALID', `${name}: must be a comma-separated list of names`);
  }
  return (parts as string[]).map((part) => part.trim()).filter(Boolean);
}
