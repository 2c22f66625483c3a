// What a dump holds, read as it passes on its way to the restore tool: each table it creates and the rows it loads
// into each. The restored database is then checked against it.

/** A table as its name's parts (schema and table for PostgreSQL), and its rows, null when the dump does not say. */
export interface ListedTable {
  parts: string[];
  rows: number | null;
}

export interface DumpScanner {
  /** The decompressed dump, in order, in chunks of any size. */
  write(chunk: Buffer): void;
  end(): void;
  /** A line the restore tool wrote on stderr: how mongorestore reports what it restored. */
  stderrLine?(line: string): void;
  /** The tables the dump listed, in the order it listed them. */
  tables(): ListedTable[];
}

/** Tables by name, in the order first seen. */
export class TableTally {
  private readonly byKey = new Map<string, ListedTable>();

  /** A table the dump creates; its rows start at zero, or unknown. */
  create(parts: string[], rows: number | null = 0): void {
    if (!this.byKey.has(parts.join('.'))) this.byKey.set(parts.join('.'), { parts, rows });
  }

  /** `count` more rows loaded into a table (created, if the dump loads one it did not create). */
  add(parts: string[], count = 1): void {
    const key = parts.join('.');
    const table = this.byKey.get(key);
    if (table) table.rows = (table.rows ?? 0) + count;
    else this.byKey.set(key, { parts, rows: count });
  }

  list(): ListedTable[] {
    return [...this.byKey.values()].map((table) => ({ parts: [...table.parts], rows: table.rows }));
  }
}

/** Identifier quoting styles: "x" (doubling escapes), `x`, [x], 'x', or a bare word. */
const IDENTIFIER =
  /^(?:"((?:[^"]|"")*)"|`((?:[^`]|``)*)`|\[([^\]]*)\]|'((?:[^']|'')*)'|([A-Za-z_][A-Za-z0-9_$]*))/;

/** A possibly schema-qualified name at the start of `text`, unquoted, and what follows it; null when none. */
export function readQualifiedName(text: string): { parts: string[]; rest: string } | null {
  const parts: string[] = [];
  let rest = text;
  for (;;) {
    const found = IDENTIFIER.exec(rest);
    if (!found) return null;
    const [whole, double, back, bracket, single, bare] = found;
    parts.push(
      double !== undefined
        ? double.replace(/""/g, '"')
        : back !== undefined
          ? back.replace(/``/g, '`')
          : (bracket ?? single?.replace(/''/g, "'") ?? (bare as string)),
    );
    rest = rest.slice(whole.length);
    if (!rest.startsWith('.')) return { parts, rest };
    rest = rest.slice(1);
  }
}
