// A shipped binary log's facts as its object's custom metadata records them: the file, its size, the server that
// wrote it, its first and last events' times, and how it ended (the log its Rotate event names next). The function
// writes them from the agent's signed account of the shipping; they are believed only where the object's attestation
// covers them (functions/object/attestation.ts signs every `binlog…` key).
import { type ShippedLogFacts, shippedLogFactsSchema } from '../../core/binlog-protocol.js';

/** Custom metadata keys, each beside the fact it holds. */
const FACT_KEYS = {
  file: 'binlogFile',
  size: 'binlogSize',
  serverId: 'binlogServerId',
  firstEventAt: 'binlogFirstEventAt',
  lastEventAt: 'binlogLastEventAt',
  ending: 'binlogEnding',
  next: 'binlogNext',
} as const satisfies Record<keyof ShippedLogFacts, string>;

const NUMBERS: ReadonlySet<string> = new Set(['size', 'serverId']);

export function logFactsMetadata(facts: ShippedLogFacts): Record<string, string> {
  const entries = Object.entries(FACT_KEYS).flatMap(([fact, key]) => {
    const value = facts[fact as keyof ShippedLogFacts];
    return value === undefined ? [] : [[key, String(value)]];
  });
  return Object.fromEntries(entries);
}

/** The facts the metadata records; null when any is missing or malformed (not a log this function checked). */
export function logFactsOf(metadata: Readonly<Record<string, string>>): ShippedLogFacts | null {
  const entries = Object.entries(FACT_KEYS).flatMap(([fact, key]) => {
    const value = metadata[key];
    if (value === undefined) return [];
    return [[fact, NUMBERS.has(fact) ? Number(value) : value]];
  });
  const parsed = shippedLogFactsSchema.safeParse(Object.fromEntries(entries));
  return parsed.success ? parsed.data : null;
}
