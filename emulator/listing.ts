// One page of an object listing: prefix and delimiter folding, pagination tokens, versions.
import type { ObjectRecord } from './model.js';

export interface ListOptions {
  prefix?: string;
  delimiter?: string;
  startOffset?: string;
  endOffset?: string;
  pageToken?: string;
  maxResults: number;
}

export interface ListPage {
  items: ObjectRecord[];
  prefixes: string[];
  nextPageToken?: string;
}

/** Where an entry sits in the listing: its name (or folded prefix), then its generation. */
type Position = [key: string, generation: number];

/**
 * Lists `records` (sorted by name, then generation) from after the page token. A folded prefix counts as
 * one result, and its token sorts after every name under it so the next page resumes past them.
 */
export function listPage(records: ObjectRecord[], options: ListOptions): ListPage {
  const { prefix = '', delimiter, startOffset, endOffset, maxResults } = options;
  const after = options.pageToken ? decodeToken(options.pageToken) : undefined;
  const page: ListPage = { items: [], prefixes: [] };
  let last: Position | undefined;
  for (const record of records) {
    const { name } = record;
    if (!name.startsWith(prefix)) continue;
    if ((startOffset && name < startOffset) || (endOffset && name >= endOffset)) continue;
    const cut = delimiter ? name.indexOf(delimiter, prefix.length) : -1;
    const folded = delimiter && cut >= 0 ? name.slice(0, cut + delimiter.length) : undefined;
    const position: Position = folded ? [folded, 0] : [name, record.generation];
    if (after && compare(position, after) <= 0) continue;
    if (folded && page.prefixes.at(-1) === folded) continue;
    if (page.items.length + page.prefixes.length >= maxResults) {
      if (last) page.nextPageToken = encodeToken(last);
      break;
    }
    if (folded) {
      page.prefixes.push(folded);
      last = [folded, Number.MAX_SAFE_INTEGER];
    } else {
      page.items.push(record);
      last = position;
    }
  }
  return page;
}

function compare([keyA, generationA]: Position, [keyB, generationB]: Position): number {
  if (keyA !== keyB) return keyA < keyB ? -1 : 1;
  return generationA - generationB;
}

function encodeToken(position: Position): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

function decodeToken(token: string): Position | undefined {
  try {
    const [key, generation] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    return typeof key === 'string' && typeof generation === 'number' ? [key, generation] : undefined;
  } catch {
    return undefined;
  }
}
