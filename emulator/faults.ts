// Fault injection for tests: chosen requests answered with an error, cut off part-way, or slowed down.
import { z } from 'zod';

export interface FaultSpec {
  /** HTTP method to match, any when omitted. */
  method?: string;
  /** Pattern tested against the request's path and query. */
  match?: RegExp | string;
  /** The `uploadType` query parameter to match (`media`, `multipart`, `resumable`). */
  uploadType?: string;
  /** Act on the nth matching request counted from when the fault was added (default 1). */
  nth?: number;
  /** How many consecutive matching requests to act on from the nth (default 1). */
  times?: number;
  /** Answer with this status and a JSON API error body instead of serving the request. */
  status?: number;
  /** Accept this many body bytes, keep them as the service would, then drop the connection. */
  dropAfterBytes?: number;
  /** Wait this long before handling the request. */
  delayMs?: number;
}

/** The same fields as JSON, for the admin endpoint; `match` is then a regular expression's source. */
export const faultSpecSchema = z.strictObject({
  method: z.string().optional(),
  match: z.string().optional(),
  uploadType: z.string().optional(),
  nth: z.number().int().positive().optional(),
  times: z.number().int().positive().optional(),
  status: z.number().int().min(400).max(599).optional(),
  dropAfterBytes: z.number().int().nonnegative().optional(),
  delayMs: z.number().int().nonnegative().optional(),
});

export interface FaultHandle {
  readonly id: number;
  /** How many requests matched so far, acted on or not. */
  readonly matched: number;
}

interface Fault extends FaultHandle {
  spec: FaultSpec;
  matched: number;
}

export class Faults {
  private readonly active: Fault[] = [];
  private lastId = 0;

  add(spec: FaultSpec): FaultHandle {
    const fault: Fault = { id: ++this.lastId, spec, matched: 0 };
    this.active.push(fault);
    return fault;
  }

  clear(): void {
    this.active.length = 0;
  }

  list(): { id: number; matched: number; spec: FaultSpec }[] {
    return this.active.map(({ id, matched, spec }) => ({
      id,
      matched,
      spec: { ...spec, match: spec.match instanceof RegExp ? spec.match.source : spec.match },
    }));
  }

  /** Counts the request against every fault it matches and returns the first one due to act on it. */
  take(method: string, url: URL): FaultSpec | undefined {
    let due: FaultSpec | undefined;
    for (const fault of this.active) {
      if (!matches(fault.spec, method, url)) continue;
      fault.matched += 1;
      const first = fault.spec.nth ?? 1;
      const last = first + (fault.spec.times ?? 1) - 1;
      if (!due && fault.matched >= first && fault.matched <= last) due = fault.spec;
    }
    return due;
  }
}

function matches(spec: FaultSpec, method: string, url: URL): boolean {
  if (spec.method && spec.method.toUpperCase() !== method) return false;
  if (spec.uploadType && url.searchParams.get('uploadType') !== spec.uploadType) return false;
  if (spec.match === undefined) return true;
  const pattern = typeof spec.match === 'string' ? new RegExp(spec.match) : spec.match;
  return pattern.test(url.pathname + url.search);
}
