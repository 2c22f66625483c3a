// Fault injection for tests: chosen requests failed, cut off, slowed down, stalled, or their answers lost.
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
  /**
   * Serve the request completely (an upload finalizes, a patch applies), then destroy the connection instead
   * of answering: a lost response.
   */
  dropResponse?: boolean;
  /**
   * Accept the request, stop reading it and never answer, holding the connection until the client gives up
   * or the emulator closes. Nothing of its body is kept.
   */
  stall?: boolean;
}

/** The same fields as JSON, for the admin endpoint; `match` is then a regular expression's source. */
export const faultSpecSchema = z
  .strictObject({
    method: z.string().optional(),
    match: z.string().optional(),
    uploadType: z.string().optional(),
    nth: z.number().int().positive().optional(),
    times: z.number().int().positive().optional(),
    status: z.number().int().min(400).max(599).optional(),
    dropAfterBytes: z.number().int().nonnegative().optional(),
    delayMs: z.number().int().nonnegative().optional(),
    dropResponse: z.boolean().optional(),
    stall: z.boolean().optional(),
  })
  .refine(
    (spec) =>
      !spec.stall || (spec.status === undefined && spec.dropAfterBytes === undefined && !spec.dropResponse),
    {
      message: 'stall never answers, so it cannot be combined with status, dropAfterBytes or dropResponse',
    },
  );

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
