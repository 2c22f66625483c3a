// What a sqlite3 `.dump` holds: `CREATE TABLE` statements (the schema's own text, quoted any way SQLite allows) and
// one `INSERT INTO <name> VALUES(…);` per row. Statements are split at semicolons outside quotes and comments; the
// statements inside a trigger's body, up to its `END`, are not the dump's own. SQLite's internal tables are left out.
import { type DumpScanner, type ListedTable, readQualifiedName, TableTally } from './dump-scanner.js';

const SEMICOLON = 0x3b;
const NEWLINE = 0x0a;
const DASH = 0x2d;
const SLASH = 0x2f;
const STAR = 0x2a;
/** Opening quote → its closing byte: 'text', "name", `name`, [name]. */
const QUOTES = new Map([
  [0x27, 0x27],
  [0x22, 0x22],
  [0x60, 0x60],
  [0x5b, 0x5d],
]);
const HEAD_LIMIT = 256;
const CREATE_TABLE = /^CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?/i;
const CREATE_TRIGGER = /^CREATE\s+(?:TEMP\s+|TEMPORARY\s+)?TRIGGER\b/i;
const INSERT = /^INSERT\s+INTO\s+/i;
const VALUES = /^\s*(?:\([^)]*\)\s*)?VALUES\s*\(/i;

export class SqliteDumpScanner implements DumpScanner {
  private readonly tally = new TableTally();
  private readonly head = Buffer.alloc(HEAD_LIMIT);
  private headBytes = 0;
  /** The byte that closes the quote being read, 0 outside quotes. */
  private closing = 0;
  private comment: 'line' | 'block' | null = null;
  private previous = 0;
  private inTrigger = false;

  write(chunk: Buffer): void {
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i] as number;
      if (this.comment === 'line') {
        if (byte === NEWLINE) this.comment = null;
      } else if (this.comment === 'block') {
        if (this.previous === STAR && byte === SLASH) this.comment = null;
        this.previous = this.comment ? byte : 0;
      } else if (this.closing !== 0) {
        // Inside a quote only its end matters once the statement's opening is kept: jump to it.
        const close = this.headBytes < HEAD_LIMIT ? i : chunk.indexOf(this.closing, i);
        if (close === -1) return;
        i = close;
        this.keep(chunk[i] as number);
        if (chunk[i] === this.closing) this.closing = 0;
      } else if (byte === SEMICOLON) {
        this.statementEnd();
      } else if (byte === DASH && this.previous === DASH) {
        this.comment = 'line';
        this.previous = 0;
      } else if (byte === STAR && this.previous === SLASH) {
        this.comment = 'block';
        this.previous = 0;
      } else {
        this.closing = QUOTES.get(byte) ?? 0;
        this.previous = byte;
        this.keep(byte);
      }
    }
  }

  end(): void {
    if (this.headBytes > 0) this.statementEnd();
  }

  tables(): ListedTable[] {
    return this.tally.list();
  }

  /** Keeps a statement's opening, without the blanks before it. */
  private keep(byte: number): void {
    if (this.headBytes === 0 && (byte === 0x20 || (byte >= 0x09 && byte <= 0x0d))) return;
    if (this.headBytes < HEAD_LIMIT) this.head[this.headBytes++] = byte;
  }

  private statementEnd(): void {
    const text = this.head.toString('utf8', 0, this.headBytes);
    this.headBytes = 0;
    this.previous = 0;
    if (this.inTrigger) {
      if (/^END\s*$/i.test(text)) this.inTrigger = false;
      return;
    }
    if (CREATE_TRIGGER.test(text)) {
      this.inTrigger = true;
      return;
    }
    if (CREATE_TABLE.test(text)) {
      const name = readQualifiedName(text.replace(CREATE_TABLE, ''));
      if (name && !isInternal(name.parts)) this.tally.create(name.parts);
      return;
    }
    if (!INSERT.test(text)) return;
    const name = readQualifiedName(text.replace(INSERT, ''));
    if (name && VALUES.test(name.rest) && !isInternal(name.parts)) this.tally.add(name.parts);
  }
}

/** sqlite_sequence, sqlite_stat1, …: SQLite's own, restored by SQLite's own means. */
function isInternal(parts: string[]): boolean {
  return (parts.at(-1) ?? '').toLowerCase().startsWith('sqlite_');
}
