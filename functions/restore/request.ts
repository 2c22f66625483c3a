// What a caller may ask of a restore — which database, which backup, keep, scratch name — of the drill, or of the drop
// of a scratch database a restore kept, from its query string or JSON body.
import { DateTime } from 'luxon';
import { BackupError } from '../../core/errors.js';
import { isValidName, NAME_RULE } from '../../core/validate-name.js';
import { flag, nameList, requestFields } from '../http/request-fields.js';

export interface RestoreRequest {
  /** Database names or target ids: one for a restore; every target when a drill names none. */
  databases?: string[];
  /** The backup's date, yyyyMMdd; the newest verified backup when omitted. */
  date?: string;
  /** Of the date's backup, this generation (a replaced one the versioned bucket still keeps); the live one by default. */
  generation?: string;
  /** Leave the scratch database in place after a restore that went in whole. */
  keep: boolean;
  /** One of the target's allowed scratch databases; the agent's first when omitted. */
  scratch?: string;
  /** Restore the newest verified backup of every target named (all by default) and record it as drilled. */
  drill: boolean;
  /** Restore to this moment: the newest backup made before it, then its binary logs replayed up to it. */
  at?: Date;
  /** Restore nothing: drop the scratch database (`scratch`, or the agent's first) a restore with `keep` left. */
  dropScratch?: boolean;
}

const invalid = (message: string) => new BackupError('REQUEST_INVALID', message);

function parseDate(value: unknown, timeZone: string): string | undefined {
  if (value === undefined || value === null || value === '' || value === 'latest') return undefined;
  const text = String(value).replaceAll('-', '');
  if (!/^\d{8}$/.test(text) || !DateTime.fromFormat(text, 'yyyyMMdd', { zone: timeZone }).isValid) {
    throw invalid('date: must be a calendar date, yyyyMMdd or yyyy-MM-dd, or "latest"');
  }
  return text;
}

const MOMENT_FORMATS = [
  'yyyy-MM-dd HH:mm',
  'yyyy-MM-dd HH:mm:ss',
  "yyyy-MM-dd'T'HH:mm",
  "yyyy-MM-dd'T'HH:mm:ss",
];

/** A moment as an admin types it, in the configured zone (an ISO moment with its own offset is taken as it is). */
function parseAt(value: unknown, timeZone: string): Date | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const text = String(value).trim();
  for (const format of MOMENT_FORMATS) {
    const moment = DateTime.fromFormat(text, format, { zone: timeZone });
    if (moment.isValid) return moment.toJSDate();
  }
  const offset = DateTime.fromISO(text, { setZone: true });
  if (offset.isValid && /(?:Z|[+-]\d\d:?\d\d)$/i.test(text)) return offset.toJSDate();
  throw invalid(
    `at: "${text}" is not a moment; write it as yyyy-MM-dd HH:mm[:ss] in ${timeZone}, e.g. 2026-12-07 14:32`,
  );
}

/** A generation of a backup: Cloud Storage's decimal number. */
function parseGeneration(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const text = String(value);
  if (!/^[1-9]\d{0,19}$/.test(text))
    throw invalid('generation: must be a generation number, as list --all shows it');
  return text;
}

/** A scheduled call (`drill` set by the caller's schedule) is a drill whatever its fields say. */
export function parseRestoreRequest(
  query: Record<string, unknown>,
  body: unknown,
  timeZone: string,
  scheduled = false,
): RestoreRequest {
  const fields = requestFields(query, body);
  const databases = nameList(fields.databases ?? fields.database, 'database');
  const drill = scheduled || flag(fields.drill, 'drill');
  const date = parseDate(fields.date, timeZone);
  const keep = flag(fields.keep, 'keep');
  const scratch = fields.scratch === undefined || fields.scratch === '' ? undefined : String(fields.scratch);
  if (scratch !== undefined && !isValidName(scratch)) throw invalid(`scratch: must be ${NAME_RULE}`);
  const generation = parseGeneration(fields.generation);
  const dropScratch = flag(fields.dropScratch, 'dropScratch');
  const at = parseAt(fields.at, timeZone);
  if (at && (drill || date || generation || dropScratch)) {
    throw invalid(
      'at restores to a moment from the newest backup before it: no drill, date, generation or dropScratch',
    );
  }
  if (dropScratch && (drill || date || keep || generation)) {
    throw invalid(
      'dropScratch drops the scratch database a restore kept: no drill, date, generation or keep',
    );
  }
  if (drill && generation) throw invalid('a drill restores the newest verified backup: no generation');
  // A generation is one of a date's backup.
  if (generation && !date)
    throw invalid('generation: name the date of the backup too (--date), as list --all shows it');
  if (drill && (date || keep || scratch)) {
    throw invalid(
      'a drill restores the newest verified backup of each target into its default scratch database: no date, keep or scratch',
    );
  }
  if (!drill && databases?.length !== 1)
    throw invalid('database: name the one database (or target id) to restore');
  return {
    ...(databases && { databases }),
    ...(date && { date }),
    ...(generation && { generation }),
    keep,
    ...(scratch && { scratch }),
    drill,
    ...(dropScratch && { dropScratch }),
    ...(at && { at }),
  };
}
