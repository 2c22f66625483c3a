// Object listing pages: prefixes, delimiters, page tokens and versions.
import { describe, expect, it } from 'vitest';
import { type ListOptions, listPage } from '../../../emulator/listing.js';
import type { ObjectRecord } from '../../../emulator/model.js';

function record(name: string, generation = 1): ObjectRecord {
  const time = '2024-01-01T00:00:00.000Z';
  return {
    bucket: 'b',
    name,
    generation,
    metageneration: 1,
    size: 0,
    crc32c: '',
    md5Hash: '',
    blob: name,
    timeCreated: time,
    updated: time,
  };
}

/** Walks every page, returning what each held. */
function allPages(records: ObjectRecord[], options: Omit<ListOptions, 'pageToken'>) {
  const pages: { items: string[]; prefixes: string[] }[] = [];
  let pageToken: string | undefined;
  do {
    const page = listPage(records, { ...options, pageToken });
    pages.push({
      items: page.items.map((item) => `${item.name}#${item.generation}`),
      prefixes: page.prefixes,
    });
    pageToken = page.nextPageToken;
  } while (pageToken);
  return pages;
}

const records = ['a/1', 'a/2', 'b', 'c/x/1', 'c/y', 'd'].map((name) => record(name));

describe('listPage', () => {
  it('filters by prefix and offsets', () => {
    const page = listPage(records, { prefix: 'c/', maxResults: 10 });
    expect(page.items.map((item) => item.name)).toEqual(['c/x/1', 'c/y']);
    expect(listPage(records, { startOffset: 'b', endOffset: 'c/y', maxResults: 10 }).items).toHaveLength(2);
  });

  it('folds under a delimiter, each prefix once, counting it as one result', () => {
    expect(allPages(records, { delimiter: '/', maxResults: 1 })).toEqual([
      { items: [], prefixes: ['a/'] },
      { items: ['b#1'], prefixes: [] },
      { items: [], prefixes: ['c/'] },
      { items: ['d#1'], prefixes: [] },
    ]);
  });

  it('pages through every generation when versions are listed', () => {
    const versions = [record('a', 1), record('a', 2), record('a', 3), record('b', 4)];
    expect(allPages(versions, { maxResults: 2 }).map((page) => page.items)).toEqual([
      ['a#1', 'a#2'],
      ['a#3', 'b#4'],
    ]);
  });

  it('ends without a token when the last page is exactly full', () => {
    expect(listPage(records, { prefix: 'a/', maxResults: 2 }).nextPageToken).toBeUndefined();
  });
});
