// A moment as the admin reads it — in the configured zone, to the second — shared by the function's reports and
// the CLI's rendering, so that both speak of a moment in the same words.
import { DateTime } from 'luxon';

/** `2026-12-07 14:32:07 GMT+1`: `moment` in `timeZone`, with the zone's offset so that it is unambiguous. */
export function localMoment(moment: Date, timeZone: string): string {
  return DateTime.fromJSDate(moment, { zone: timeZone }).toFormat('yyyy-MM-dd HH:mm:ss ZZZZ');
}
