import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NONCE_LOG, openFileNonceStore, parseNonceLog } from '../../../../agent/http/file-nonce-store.js';
import { SignatureError } from '../../../../core/errors.js';

const T0 = new Date('2025-03-01T02:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

describe('parseNonceLog', () => {
  it('keeps live lines, drops expired ones and junk, and keeps the later of two untils', () => {
    const text = [
      `live\t${at(10).getTime()}`,
      `gone\t${at(-1).getTime()}`,
      `edge\t${T0.getTime()}`,
      `bad nonce\t${at(10).getTime()}`,
      'no-tab',
      `extra\t${at(10).getTime()}\tx`,
      'nan\tsoon',
      `twice\t${at(5).getTime()}`,
      `twice\t${at(20).getTime()}`,
      `twice\t${at(1).getTime()}`,
      '',
    ].join('\n');
    expect(parseNonceLog(text, T0)).toEqual(
      new Map([
        ['live', at(10).getTime()],
        ['edge', T0.getTime()],
        ['twice', at(20).getTime()],
      ]),
    );
  });

  it('skips a last line without its newline: a crash cut it off', () => {
    expect(parseNonceLog(`a\t${at(10).getTime()}\nb\t${at(10).getTime()}`, T0)).toEqual(
      new Map([['a', at(10).getTime()]]),
    );
    expect(parseNonceLog('', T0)).toEqual(new Map());
  });
});

describe('openFileNonceStore', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nonce-store-'));
    file = join(dir, NONCE_LOG);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const fileText = () => readFile(file, 'utf8');

  it('accepts a nonce once, appending it to a private file before answering', async () => {
    const store = openFileNonceStore(dir, T0);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await fileText()).toBe('');
    expect(store.add('n-1_A', at(300), T0)).toBe(true);
    expect(await fileText()).toBe(`n-1_A\t${at(300).getTime()}\n`);
    expect(store.add('n-1_A', at(300), at(1))).toBe(false);
    expect(store.add('n-2', at(300), at(1))).toBe(true);
    expect(await fileText()).toBe(`n-1_A\t${at(300).getTime()}\nn-2\t${at(300).getTime()}\n`);
    expect(store.fileLines).toBe(2);
  });

  it('remembers accepted nonces across a reopen, until they expire', () => {
    openFileNonceStore(dir, T0).add('kept', at(300), T0);
    expect(openFileNonceStore(dir, at(299)).add('kept', at(600), at(299))).toBe(false);
    // Once expired the signature fails its time checks anyway, so the nonce may be used again.
    expect(openFileNonceStore(dir, at(301)).add('kept', at(600), at(301))).toBe(true);
  });

  it('creates the state folder when it is missing', async () => {
    const nested = join(dir, 'state');
    openFileNonceStore(nested, T0).add('x', at(300), T0);
    expect((await stat(nested)).mode & 0o777).toBe(0o700);
    expect(await readFile(join(nested, NONCE_LOG), 'utf8')).toBe(`x\t${at(300).getTime()}\n`);
  });

  it('rewrites the file at open with only live lines, so a torn line never prefixes the next append', async () => {
    await writeFile(file, `old\t${at(-5).getTime()}\nlive\t${at(100).getTime()}\ntorn\t17`, { mode: 0o644 });
    const store = openFileNonceStore(dir, T0);
    expect(await fileText()).toBe(`live\t${at(100).getTime()}\n`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(store.fileLines).toBe(1);
    expect(store.add('torn', at(300), T0)).toBe(true);
    expect(store.add('live', at(300), T0)).toBe(false);
    expect(await fileText()).toBe(`live\t${at(100).getTime()}\ntorn\t${at(300).getTime()}\n`);
    expect(await readdir(dir)).toEqual([NONCE_LOG]);
  });

  it('compacts the file once most of its lines are expired', async () => {
    const store = openFileNonceStore(dir, T0, { compactAtLines: 4 });
    // Each nonce lives 10 s and one comes every 20 s: at each add only the new one is live.
    expect(store.add('a', at(10), at(0))).toBe(true);
    expect(store.add('b', at(30), at(20))).toBe(true);
    expect(store.add('c', at(50), at(40))).toBe(true);
    expect(store.fileLines).toBe(3);
    expect(store.add('d', at(70), at(60))).toBe(true);
    expect(store.fileLines).toBe(1);
    expect(await fileText()).toBe(`d\t${at(70).getTime()}\n`);
    expect(await readdir(dir)).toEqual([NONCE_LOG]);
    expect(store.add('d', at(70), at(65))).toBe(false);
  });

  it('does not compact while most lines are still live', () => {
    const store = openFileNonceStore(dir, T0, { compactAtLines: 4 });
    for (const nonce of ['a', 'b', 'c', 'd', 'e']) expect(store.add(nonce, at(300), T0)).toBe(true);
    expect(store.fileLines).toBe(5);
  });

  it('refuses a nonce that is not base64url, writing nothing', async () => {
    const store = openFileNonceStore(dir, T0);
    for (const nonce of ['a\nb\t1', 'a\tb', 'a b', 'a=', '', 'x'.repeat(257)]) {
      expect(() => store.add(nonce, at(300), T0)).toThrow(SignatureError);
    }
    expect(() => store.add('a\n', at(300), T0)).toThrow(/nonce is not base64url/);
    expect(await fileText()).toBe('');
  });

  it('fails the add when the nonce cannot be written, so the request is not served', async () => {
    const store = openFileNonceStore(dir, T0);
    await rm(dir, { recursive: true, force: true });
    expect(() => store.add('lost', at(300), T0)).toThrow(/ENOENT/);
    // Not remembered either: the retry fails the same way instead of passing as a replay.
    expect(() => store.add('lost', at(300), T0)).toThrow(/ENOENT/);
  });
});
