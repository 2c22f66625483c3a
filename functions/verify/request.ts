// What a caller may ask of the watchdog: which databases, which day's backups (today in the zone by default), and
// whether to read every byte of them (deep).
import { DateTime } from 'luxon';
import { BackupError } from '../../core/errors.js';
import { flag, nameList, requestFields } from '../http/request-fields.js';

export interface VerifyRequest {
  databases?: string[];
  /** A moment inside the day whose objects are checked. */
  day?: Date;
  /** Read every byte of each object and compare its hashes with those recorded (the weekly deep check). */
  deep?: boolean;
}

export function parseVerifyRequest(
  query: Record<string, unknown>,
  body: unknown,
  timeZone: string,
): VerifyRequest {
  const fields = requestFields(query, body);
  const databases = nameList(fields.databases, 'databases');
  let day: Date | undefined;
  if (fields.date !== undefined && fields.date !== '') {
    const text = String(fields.date).replaceAll('-', '');
    const parsed = DateTime.fromFormat(text, 'yyyyMMdd', { zone: timeZone });
    if (!/^\d{8}$/.test(text) || !parsed.isValid) {
      throw new BackupError('REQUEST_INVALID', 'date: must be a calendar date, yyyyMMdd or yyyy-MM-dd');
    }
    // Midday: the named day whatever the zone's offset.
    day = parsed.plus({ hours: 12 }).toJSDate();
  }
  const deep = flag(fields.deep, 'deep');
  return { ...(databases && { databases }), ...(day && { day }), ...(deep && { deep }) };
}
