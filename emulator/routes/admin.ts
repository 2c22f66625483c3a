// The admin endpoint through which tests in other processes turn faults on and off.
import type { RequestContext } from '../context.js';
import { faultSpecSchema } from '../faults.js';
import { readJsonObject, sendEmpty, sendJson } from '../http-io.js';
import { badRequest } from '../json-errors.js';

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

function toPattern(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch {
    throw badRequest(`Invalid match pattern: ${source}`);
  }
}
