// What a mysqldump holds: `CREATE TABLE `name` (` for each table, and `INSERT INTO `name` VALUES (…),(…);`
// statements whose top-level parenthesised tuples are its rows — counted byte by byte up to the statement's `;`,
// strings (with backslash escapes) skipped. Statements start at a line's start (values escape their newlines; newer
// mariadb-dump puts each tuple on a line of its own). Routines and triggers, between `DELIMITER ;;` and
// `DELIMITER ;`, are not the dump's own statements.
import { type DumpScanner, type ListedTable, readQualifiedName, TableTally } from './dump-scanner.js';

const NEWLINE = 0x0a;
const QUOTE = 0x27;
const BACKSLASH = 0x5c;
const OPEN = 0x28;
const CLOSE = 0x29;
const SEMICOLON = 0x3b;
/** Enough for `INSERT INTO `<64-character name>` VALUES ` and any statement opening this scanner reads. */
const HEAD_LIMIT = 512;
const INSERT = /^INSERT INTO (`(?:[^`]|``)+`) (?:\([^)]*\) )?VALUES\b/;
const CREATE_TABLE = /^CREATE TABLE (?:IF NOT EXISTS )?(`(?:[^`]|``)+`)/;

type Mode = 'head' | 'values' | 'skip';

export class MysqlDumpScanner implements DumpScanner {
  private readonly tally = new TableTally();
  private mode: Mode = 'head';
  private head: Buffer[] = [];
  private headBytes = 0;
  private inRoutines = false;
  // The tuples of the INSERT being read.
  private table: string[] = [];
  private inString = false;
  private escaped = false;
  private depth = 0;

  write(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.mode === 'skip') {
        const newline = chunk.indexOf(NEWLINE, at);
        if (newline === -1) return;
        at = newline + 1;
        this.mode = 'head';
      } else if (this.mode === 'values') {
        at = this.values(chunk, at, chunk.length);
      } else {
        at = this.collect(chunk, at);
      }
    }
  }

  end(): void {
    if (this.mode === 'head' && this.headBytes > 0) this.lineStart(Buffer.concat(this.head), true);
  }

  tables(): ListedTable[] {
    return this.tally.list();
  }

  /** Gathers a line's opening; decides what the line is once it ends or the opening is long enough. */
  private collect(chunk: Buffer, at: number): number {
    const newline = chunk.indexOf(NEWLINE, at);
    const end = Math.min(newline === -1 ? chunk.length : newline, at + HEAD_LIMIT - this.headBytes);
    this.head.push(chunk.subarray(at, end));
    this.headBytes += end - at;
    const complete = end === newline;
    if (!complete && this.headBytes < HEAD_LIMIT) return end;
    const head = Buffer.concat(this.head);
    this.head = [];
    this.headBytes = 0;
    this.lineStart(head, complete);
    // A statement of rows may go on past its first line; anything else ends with its line.
    if (this.mode !== 'values') this.mode = complete ? 'head' : 'skip';
    return complete ? end + 1 : end;
  }

  /** A line's opening: a table, the start of its rows, a routine block's bounds, or nothing of interest. */
  private lineStart(head: Buffer, complete: boolean): void {
    const text = head.toString('latin1');
    if (complete && /^DELIMITER /.test(text)) {
      this.inRoutines = text.trim() !== 'DELIMITER ;';
      return;
    }
    if (this.inRoutines) return;
    const created = CREATE_TABLE.exec(text);
    if (created) {
      const name = readQualifiedName(Buffer.from(created[1] as string, 'latin1').toString('utf8'));
      if (name) this.tally.create(name.parts);
      return;
    }
    const insert = INSERT.exec(text);
    if (!insert) return;
    const name = readQualifiedName(Buffer.from(insert[1] as string, 'latin1').toString('utf8'));
    if (!name) return;
    this.table = name.parts;
    this.tally.create(this.table);
    this.inString = false;
    this.escaped = false;
    this.depth = 0;
    this.mode = 'values';
    this.values(head, insert[0].length, head.length);
  }

  /** Counts top-level tuples in bytes [at, end) of an INSERT; returns where the statement ended, or `end`. */
  private values(bytes: Buffer, at: number, end: number): number {
    // Locals, not fields, in the loop: it runs once per byte of every row.
    let { inString, escaped, depth } = this;
    let rows = 0;
    let i = at;
    for (; i < end; i++) {
      const byte = bytes[i] as number;
      if (inString) {
        if (escaped) escaped = false;
        else if (byte === BACKSLASH) escaped = true;
        else if (byte === QUOTE) inString = false;
      } else if (byte === QUOTE) inString = true;
      else if (byte === OPEN) {
        if (depth++ === 0) rows++;
      } else if (byte === CLOSE) depth--;
      else if (byte === SEMICOLON && depth === 0) break;
    }
    this.inString = inString;
    this.escaped = escaped;
    this.depth = depth;
    if (rows > 0) this.tally.add(this.table, rows);
    if (i < end) {
      // The rest of the statement's line, if any, is not a statement opening.
      this.mode = 'skip';
      return i + 1;
    }
    return end;
  }
}
