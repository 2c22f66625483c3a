// What a pg_dump plain-format dump holds: `CREATE TABLE <name>` for each table, and `COPY <name> … FROM stdin;`
// followed by one line per row (COPY's text format escapes newlines inside values) up to a line `\.`.
import { type DumpScanner, type ListedTable, readQualifiedName, TableTally } from './dump-scanner.js';
import { LineHeads } from './line-heads.js';

const BACKSLASH = 0x5c;
const DOT = 0x2e;
const C = 0x43;
const CREATE_TABLE = /^CREATE (?:UNLOGGED )?TABLE /;
/** A function or procedure body opened at the end of its line, e.g. `    AS $$`: not statements of the dump. */
const BODY_OPENS = /\bAS (\$[A-Za-z_]*\$)$/;

export class PostgresDumpScanner implements DumpScanner {
  private readonly tally = new TableTally();
  private readonly lines = new LineHeads((head) => this.line(head));
  /** The table whose COPY rows are being read. */
  private copying: string[] | null = null;
  /** The dollar quote of a body being read, whose lines are not the dump's own. */
  private body: string | null = null;

  write(chunk: Buffer): void {
    this.lines.write(chunk);
  }

  end(): void {
    this.lines.end();
  }

  tables(): ListedTable[] {
    return this.tally.list();
  }

  private line(head: Buffer): void {
    if (this.copying) {
      if (head.length === 2 && head[0] === BACKSLASH && head[1] === DOT) this.copying = null;
      else this.tally.add(this.copying);
      return;
    }
    const text = head.toString('utf8');
    if (this.body !== null) {
      if (text.includes(this.body)) this.body = null;
      return;
    }
    const opened = BODY_OPENS.exec(text);
    if (opened) {
      this.body = opened[1] as string;
      return;
    }
    if (head[0] === C && CREATE_TABLE.test(text)) {
      const name = readQualifiedName(text.replace(CREATE_TABLE, ''));
      if (name) this.tally.create(name.parts);
    } else if (text.startsWith('COPY ')) {
      const name = readQualifiedName(text.slice('COPY '.length));
      // pg_dump's only COPY is `COPY <name> (<columns>) FROM stdin;`, whose column list may outrun the head.
      if (name) this.copying = name.parts;
    }
  }
}
