// Object names `<prefix><DBName>_yyyyMMdd<ext>` and their parser: pure, with the run's start passed in.

import { DateTime, IANAZone } from 'luxon';
import { BackupError, InvalidNameError } from './errors.js';
import { BACKUP_EXTENSIONS } from './formats.js';
import { isValidName, validateName } from './validate-name.js';

export interface NamingOptions {
  /** IANA time zone whose calendar date names the backup; UTC when omitted. */
  timeZone?: string;
  /** Prepended verbatim, e.g. `nightly/`; validated by `validatePrefix`. */
  prefix?: string;
  /** The format's extension, e.g. `.sql.gz`. */
  ext?: string;
}

export interface ParsedObjectName {
  database: string;
  /** The backup's calendar date as yyyyMMdd. */
  date: string;
  ext: string;
}

const DATE_FORMAT = 'yyyyMMdd';
const PREFIX_PATTERN = /^(?:[A-Za-z0-9._-]+\/)*[A-Za-z0-9._-]*$/;

/** Throws a configuration error naming the zone when luxon does not know it; never falls back to UTC. */
export function validateTimeZone(timeZone: string): string {
  if (!IANAZone.isValidZone(timeZone)) {
    throw new BackupError('UNKNOWN_TIME_ZONE', `unknown time zone ${JSON.stringify(timeZone)}`);
  }
  return timeZone;
}

export function validatePrefix(prefix: string): string {
  const segments = prefix.split('/');
  if (!PREFIX_PATTERN.test(prefix) || segments.some((s) => s === '.' || s === '..')) {
    throw new InvalidNameError(
      `invalid prefix ${JSON.stringify(prefix)}: folders of ASCII letters, digits, ".", "_" or "-", each ending in "/"`,
    );
  }
  return prefix;
}

/** The run's calendar date, yyyyMMdd, in the given time zone. */
export function backupDate(startedAt: Date, timeZone = 'UTC'): string {
  return DateTime.fromJSDate(startedAt, { zone: validateTimeZone(timeZone) }).toFormat(DATE_FORMAT);
}

/** A backup's date, yyyyMMdd, as people type and read it: yyyy-MM-dd. */
export function isoDay(date: string): string {
  return `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}`;
}

export function objectName(database: string, startedAt: Date, options: NamingOptions = {}): string {
  const { timeZone = 'UTC', prefix = '', ext = '' } = options;
  validateName(database, 'database name');
  validatePrefix(prefix);
  if (ext !== '' && !BACKUP_EXTENSIONS.includes(ext)) {
    throw new InvalidNameError(`unknown backup extension ${JSON.stringify(ext)}`);
  }
  return `${prefix}${database}_${backupDate(startedAt, timeZone)}${ext}`;
}

/** The inverse of `objectName`; null for a name that is not a backup of this prefix. */
export function parseObjectName(
  name: string,
  options: Pick<NamingOptions, 'prefix'> = {},
): ParsedObjectName | null {
  const { prefix = '' } = options;
  if (!name.startsWith(prefix)) return null;
  const rest = name.slice(prefix.length);
  const ext = BACKUP_EXTENSIONS.find((candidate) => rest.endsWith(candidate)) ?? '';
  const match = /^(.+)_(\d{8})$/.exec(rest.slice(0, rest.length - ext.length));
  if (!match) return null;
  const [, database = '', date = ''] = match;
  if (!isValidName(database) || !DateTime.fromFormat(date, DATE_FORMAT, { zone: 'UTC' }).isValid) return null;
  return { database, date, ext };
}
