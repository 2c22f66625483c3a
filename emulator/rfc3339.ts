// RFC 3339 date-times as the JSON API takes them: a date, a time and an explicit offset or Z.
import { badRequest } from './json-errors.js';

const RFC_3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/** Reads `value` as an RFC 3339 date-time; 400 naming `field` when it is not one. */
export function parseRfc3339(value: unknown, field: string): Date {
  const time = typeof value === 'string' && RFC_3339.test(value) ? new Date(value) : undefined;
  if (!time || Number.isNaN(time.getTime())) {
    throw badRequest(`Invalid value for ${field}: ${JSON.stringify(value)} is not an RFC 3339 date-time.`);
  }
  return time;
}
