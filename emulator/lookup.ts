// Finds the object generation a request names: the one in `generation`, or else the live one.
import type { Catalog } from './catalog.js';
import { badRequest, objectNotFound } from './json-errors.js';
import type { ObjectRecord } from './model.js';

export function findObject(
  catalog: Catalog,
  bucket: string,
  name: string,
  generation: string | null,
): ObjectRecord {
  if (generation === null || generation === '') {
    const live = catalog.live(bucket, name);
    if (!live) throw objectNotFound(bucket, name);
    return live;
  }
  if (!/^\d+$/.test(generation)) throw badRequest(`Invalid generation: ${generation}`);
  const found = catalog.versions(bucket, name).find((record) => record.generation === Number(generation));
  if (!found) throw objectNotFound(bucket, name);
  return found;
}
