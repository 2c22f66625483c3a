// The admin endpoints through which tests in other processes turn faults on and off and run lifecycle.
import type { RequestContext } from '../context.js';
import { faultSpecSchema } from '../faults.js';
import { readJsonObject, sendEmpty, sendJson } from '../http-io.js';
import { badRequest } from '../json-errors.js';
import { runLifecycle } from '../lifecycle/run-lifecycle.js';
import { parseRfc3339 } from '../rfc3339.js';

export async function addFault(ctx: RequestContext): Promise<void> {
  const parsed = faultSpecSchema.safeParse(await readJsonObject(ctx.body));
  if (!parsed.success) throw badRequest(`Invalid fault: ${parsed.error.message}`);
  const { match, ...spec } = parsed.data;
  const fault = ctx.faults.add({ ...spec, ...(match !== undefined && { match: toPattern(match) }) });
  sendJson(ctx.res, 201, { id: fault.id });
}

export async function listFaults(ctx: RequestContext): Promise<void> {
  sendJson(ctx.res, 200, { faults: ctx.faults.list() });
}

export async function clearFaults(ctx: RequestContext): Promise<void> {
  ctx.faults.clear();
  sendEmpty(ctx.res, 204);
}

/** `POST /_emulator/lifecycle` with `{ "now": "<RFC 3339>" }` (default: the emulator's clock). */
export async function runLifecycleNow(ctx: RequestContext): Promise<void> {
  const { now } = await readJsonObject(ctx.body);
  const at = now === undefined ? ctx.catalog.now() : parseRfc3339(now, 'now');
  sendJson(ctx.res, 200, await runLifecycle(ctx.catalog, ctx.store, at));
}

function toPattern(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch {
    throw badRequest(`Invalid match pattern: ${source}`);
  }
}
