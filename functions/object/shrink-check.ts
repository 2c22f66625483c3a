// A backup that succeeded but may be wrong: a dump much smaller than the same target's recent ones (the wrong
// database, or tables an application bug just emptied) is kept, but reported as a warning the admin must look at.
import type { TargetBackup } from '../storage/target-backups.js';

/** The metadata key holding a checked backup's dump size before compression. */
export const DUMP_BYTES_KEY = 'dumpBytes';
/** How many earlier backups the median is taken over. */
const SHRINK_WINDOW = 7;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Why `dumpBytes` is suspiciously small next to `earlier`, or null; no verdict without any earlier backup. */
export function shrinkWarning(dumpBytes: number, earlier: readonly number[], ratio: number): string | null {
  if (earlier.length === 0 || ratio === 0) return null;
  const typical = median(earlier);
  if (dumpBytes >= ratio * typical) return null;
  return `the dump is ${dumpBytes} bytes, less than ${Math.round(ratio * 100)}% of the median ${typical} of the last ${earlier.length} backup(s): check that the right database was dumped and that its tables are not empty`;
}

/** The dump sizes of the target's checked backups dated before `date` (yyyyMMdd), newest first. */
export function earlierDumpSizes(backups: readonly TargetBackup[], date: string): number[] {
  return backups
    .filter((backup) => backup.date < date && Number(backup.info.metadata[DUMP_BYTES_KEY]) > 0)
    .slice(0, SHRINK_WINDOW)
    .map(({ info }) => Number(info.metadata[DUMP_BYTES_KEY]));
}
