// Replay protection that survives a restart: the nonces of signatures still within their lifetime are kept in
// memory and in <stateDir>/nonces.log, one `nonce<TAB>untilEpochMs` line each, appended and fsynced before the
// request they came with is served. Synchronous on purpose: verify() asks the store synchronously, and a
// backup agent sees a handful of signed requests a night, so a blocking fsync each is cheap.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { SignatureError } from '../../core/errors.js';
import type { NonceStore } from '../../core/signing/index.js';

export const NONCE_LOG = 'nonces.log';

/** The signer's nonces are base64url; nothing else may reach the file, so no nonce can forge a line. */
const NONCE_PATTERN = /^[A-Za-z0-9_-]{1,256}$/;
const UNTIL_PATTERN = /^\d{1,16}$/;

export interface FileNonceStoreOptions {
  /** Rewrite the file once it holds at least this many lines and over half of them are expired. */
  compactAtLines?: number;
}

export interface FileNonceStore extends NonceStore {
  /** Lines in the file now, live or expired: what compaction keeps bounded. */
  readonly fileLines: number;
}

/** The live entries of the file's text at `now`; a torn last line (a crash mid-append) and junk are skipped. */
export function parseNonceLog(text: string, now: Date): Map<string, number> {
  const live = new Map<string, number>();
  const lines = text.split('\n');
  // Whatever follows the last newline was cut off mid-write, even when it happens to look complete.
  lines.pop();
  for (const line of lines) {
    const [nonce, until, ...rest] = line.split('\t');
    if (rest.length > 0 || nonce === undefined || until === undefined) continue;
    if (!NONCE_PATTERN.test(nonce) || !UNTIL_PATTERN.test(until)) continue;
    const untilMs = Number(until);
    if (untilMs < now.getTime()) continue;
    live.set(nonce, Math.max(untilMs, live.get(nonce) ?? 0));
  }
  return live;
}

const formatLine = (nonce: string, untilMs: number): string => `${nonce}\t${untilMs}\n`;

function writeAndSync(file: string, flags: 'a' | 'w', text: string): void {
  const fd = openSync(file, flags, 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Opens the store in `stateDir` at `now`: reads back the nonces still live and rewrites the file with only
 * those, so a torn line left by a crash never has the next append glued onto it.
 */
export function openFileNonceStore(
  stateDir: string,
  now: Date,
  options: FileNonceStoreOptions = {},
): FileNonceStore {
  const compactAtLines = options.compactAtLines ?? 256;
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const file = join(stateDir, NONCE_LOG);
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const until = parseNonceLog(text, now);
  let fileLines = 0;

  const compact = (): void => {
    const temp = `${file}.tmp`;
    writeAndSync(temp, 'w', [...until].map(([nonce, untilMs]) => formatLine(nonce, untilMs)).join(''));
    renameSync(temp, file);
    // The rename itself is durable only once the folder is synced.
    const dir = openSync(stateDir, 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
    fileLines = until.size;
  };
  compact();

  return {
    get fileLines() {
      return fileLines;
    },
    add(nonce, acceptedUntil, addedAt) {
      if (!NONCE_PATTERN.test(nonce)) {
        throw new SignatureError('SIGNATURE_MALFORMED', 'the signature nonce is not base64url');
      }
      for (const [seen, seenUntil] of until) {
        if (seenUntil < addedAt.getTime()) until.delete(seen);
      }
      if (until.has(nonce)) return false;
      // On disk before it counts: a request is served only once its nonce would survive a crash.
      writeAndSync(file, 'a', formatLine(nonce, acceptedUntil.getTime()));
      until.set(nonce, acceptedUntil.getTime());
      fileLines++;
      if (fileLines >= compactAtLines && fileLines > 2 * until.size) compact();
      return true;
    },
  };
}
