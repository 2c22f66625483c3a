// Picks the client-settable metadata out of a JSON object resource sent by a client.
import { parseCustomTime } from './custom-time.js';
import { badRequest } from './json-errors.js';
import type { ObjectAttrs } from './model.js';

const STRING_FIELDS = [
  'contentType',
  'contentEncoding',
  'contentDisposition',
  'contentLanguage',
  'cacheControl',
] as const;

/**
 * Reads the settable fields of `resource`. A `null` field or custom-metadata value means "remove it",
 * which a patch applies and an upload simply leaves out.
 */
export function readObjectAttrs(resource: Record<string, unknown>): {
  attrs: ObjectAttrs;
  cleared: string[];
  clearedMetadata: string[];
} {
  const attrs: ObjectAttrs = {};
  const cleared: string[] = [];
  const clearedMetadata: string[] = [];
  for (const field of STRING_FIELDS) {
    const value = resource[field];
    if (value === null) cleared.push(field);
    else if (typeof value === 'string') attrs[field] = value;
    else if (value !== undefined) throw badRequest(`Invalid value for ${field}.`);
  }
  const customTime = resource.customTime;
  if (customTime === null) cleared.push('customTime');
  else if (customTime !== undefined) attrs.customTime = parseCustomTime(customTime);
  const metadata = resource.metadata;
  if (metadata === null) cleared.push('metadata');
  else if (typeof metadata === 'object' && metadata !== undefined) {
    attrs.metadata = {};
    for (const [key, value] of Object.entries(metadata)) {
      if (value === null) clearedMetadata.push(key);
      else attrs.metadata[key] = String(value);
    }
  }
  return { attrs, cleared, clearedMetadata };
}

/** The settable fields of an existing object, for a copy that keeps its source's metadata. */
export function pickAttrs(object: ObjectAttrs): ObjectAttrs {
  const attrs: ObjectAttrs = {};
  for (const field of STRING_FIELDS) {
    if (object[field] !== undefined) attrs[field] = object[field];
  }
  if (object.metadata) attrs.metadata = { ...object.metadata };
  if (object.customTime) attrs.customTime = object.customTime;
  return attrs;
}
