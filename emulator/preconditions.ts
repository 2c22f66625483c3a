// The generation and metageneration preconditions of the JSON API, read from a query and checked.
import { badRequest, preconditionFailed } from './json-errors.js';
import type { ObjectRecord, Preconditions } from './model.js';

const NAMES = [
  'ifGenerationMatch',
  'ifGenerationNotMatch',
  'ifMetagenerationMatch',
  'ifMetagenerationNotMatch',
] as const;

/** Reads the preconditions from query parameters, prefixed for a rewrite's source (`ifSource…`). */
export function readPreconditions(query: URLSearchParams, prefix: '' | 'Source' = ''): Preconditions {
  const preconditions: Preconditions = {};
  for (const name of NAMES) {
    const raw = query.get(prefix ? name.replace(/^if/, `if${prefix}`) : name);
    if (raw === null) continue;
    if (!/^\d+$/.test(raw)) throw badRequest(`Invalid argument for ${name}: ${raw}`);
    preconditions[name] = Number(raw);
  }
  return preconditions;
}

/** Throws 412 unless `target` (the live object, or none) satisfies every precondition. */
export function checkPreconditions(target: ObjectRecord | undefined, preconditions: Preconditions): void {
  const generation = target?.generation ?? 0;
  const { ifGenerationMatch, ifGenerationNotMatch, ifMetagenerationMatch, ifMetagenerationNotMatch } =
    preconditions;
  // A generation of 0 stands for "no live object", so ifGenerationMatch=0 means "must not exist".
  if (ifGenerationMatch !== undefined && ifGenerationMatch !== generation) throw preconditionFailed();
  if (ifGenerationNotMatch !== undefined && ifGenerationNotMatch === generation) throw preconditionFailed();
  if (ifMetagenerationMatch !== undefined && ifMetagenerationMatch !== target?.metageneration) {
    throw preconditionFailed();
  }
  if (ifMetagenerationNotMatch !== undefined && ifMetagenerationNotMatch === target?.metageneration) {
    throw preconditionFailed();
  }
}
