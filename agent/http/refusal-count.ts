// Refusals of callers who proved nothing (no valid signature yet) are counted, not logged one by one: whoever
// can reach the port could otherwise fill the VM's disk through the log. One summary line per window (a
// minute) says how many, why (by error code) and from where; nothing the caller chose is written.
import type { AgentLog } from '../log/agent-log.js';

export interface RefusalCount {
  /** Counts one refusal; `reason` is an error code, `remoteAddress` the peer's address. */
  add(reason: string, remoteAddress: string | undefined): void;
  /** Writes the summary of what was counted since the last one, if anything was. */
  flush(): void;
  /** Flushes and stops the timer. */
  close(): void;
}

export interface RefusalCountOptions {
  log: AgentLog;
  now: () => Date;
  /** Default one minute. */
  windowMs?: number;
}

/** Distinct addresses named in one summary: enough to find a source, bounded whatever the traffic. */
const MAX_ADDRESSES = 10;

export function createRefusalCount(options: RefusalCountOptions): RefusalCount {
  let reasons = new Map<string, number>();
  let addresses = new Set<string>();
  let total = 0;
  let since = options.now();

  const flush = (): void => {
    const until = options.now();
    if (total > 0) {
      const byCount = [...reasons].sort((a, b) => b[1] - a[1]);
      options.log.warning(
        'request.unauthenticated',
        `refused ${total} unauthenticated request(s) since ${since.toISOString()}`,
        {
          refused: total,
          // The most frequent, so a search by errorCode finds the summary; the rest by count.
          errorCode: byCount[0]?.[0],
          errorCodes: byCount.map(([reason, count]) => `${reason}:${count}`),
          remoteAddresses: [...addresses],
          since: since.toISOString(),
        },
      );
    }
    reasons = new Map();
    addresses = new Set();
    total = 0;
    since = until;
  };

  const timer = setInterval(flush, options.windowMs ?? 60_000);
  // The summary must not keep a stopping agent alive; close() flushes the last window.
  timer.unref();

  return {
    add(reason, remoteAddress) {
      total++;
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      if (remoteAddress !== undefined && addresses.size < MAX_ADDRESSES) addresses.add(remoteAddress);
    },
    flush,
    close() {
      clearInterval(timer);
      flush();
    },
  };
}
