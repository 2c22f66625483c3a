// Which of a server's closed binary logs a shipping run sends, and which the chain has lost: pure, from what the
// server lists, what the bucket holds and where the kept backups start.
import type { ClosedLogs } from '../../core/binlog-protocol.js';
import { followingLog } from './chain.js';

type ClosedLog = ClosedLogs['logs'][number];

export interface ShippingPlan {
  /** Listed by the server and needed by the chain, oldest first: each is shipped unless the bucket holds it. */
  needed: ClosedLog[];
  /** Needed after the newest backup's start, no longer listed by the server, and never shipped. */
  purged: string[];
}

/** The number of `binlog.000042`; null for a name the server would not give. */
function logNumber(file: string): number | null {
  const found = /\.(\d+)$/.exec(file);
  return found ? Number(found[1]) : null;
}

/** Whether `file` is numbered before `than` in the same series. */
function isBefore(file: string, than: string): boolean {
  const [a, b] = [logNumber(file), logNumber(than)];
  const series = (name: string) => name.replace(/\.\d+$/, '');
  return a !== null && b !== null && series(file) === series(than) && a < b;
}

/**
 * `listed`: the server's closed logs, oldest first. `inBucket`: the files the bucket holds. `starts`: the start files
 * of the kept backups of this server, oldest first; empty when none records one (then every listed log is shipped,
 * for the backup to come). A log before the oldest start extends no kept backup.
 */
export function planShipping(
  listed: readonly ClosedLog[],
  inBucket: ReadonlySet<string>,
  starts: readonly string[],
): ShippingPlan {
  const oldest = starts[0];
  const needed = listed.filter((log) => oldest === undefined || !isBefore(log.file, oldest));
  return { needed, purged: purgedAfter(starts.at(-1), listed[0]?.file, inBucket) };
}

/**
 * The logs from the newest backup's start up to the server's oldest listed one that the bucket lacks: the server
 * listed each once (it numbers them in order) and has purged them since. Only the newest backup's chain is judged:
 * the older backups' chains end where the next backup's begins.
 */
function purgedAfter(
  start: string | undefined,
  oldestListed: string | undefined,
  inBucket: ReadonlySet<string>,
) {
  if (start === undefined || oldestListed === undefined || !isBefore(start, oldestListed)) return [];
  const purged: string[] = [];
  for (
    let file: string | undefined = start;
    file !== undefined && file !== oldestListed;
    file = followingLog(file)
  )
    if (!inBucket.has(file)) purged.push(file);
  return purged;
}
