// The refusal of client commands in a dump, line by line, wherever the stream is cut: sqlite3's dot-commands, psql's
// meta-commands outside COPY data (pg_dump's own \restrict and \unrestrict dropped), the mysql client's commands —
// and the dumps each tool really writes passing unchanged.
import { Readable, type Transform } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { restoreEngineFor } from '../../../../agent/engines/index.js';

/** The engines whose restore tool takes commands from its input: the first of their filters refuses them. */
type Engine = 'mysql' | 'postgres' | 'sqlite';

/** What comes out of the filter, or its error, with the input cut into chunks of `size`. */
async function filtered(engine: Engine, text: string, size: number): Promise<string | Error> {
  const bytes = Buffer.from(text);
  const chunks = Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) =>
    bytes.subarray(i * size, (i + 1) * size),
  );
  return buffer(Readable.from(chunks).pipe(restoreEngineFor(engine).filters()[0] as Transform))
    .then((out) => out.toString())
    .catch((error: Error) => error);
}

const SIZES = [Number.MAX_SAFE_INTEGER, 1, 7, 300];

async function expectPassed(engine: Engine, text: string, out = text): Promise<void> {
  for (const size of SIZES) expect(await filtered(engine, text, size), `chunks of ${size}`).toBe(out);
}

async function expectRefused(engine: Engine, text: string, line: number): Promise<void> {
  for (const size of SIZES) {
    expect(await filtered(engine, text, size), `chunks of ${size}`).toMatchObject({
      code: 'RESTORE_REFUSED',
      message: expect.stringContaining(`line ${line} is a`),
    });
  }
}

const LONG_ROW = `INSERT INTO t VALUES('${'x'.repeat(5000)}');\n`;

describe('sqlite3 dumps', () => {
  it('pass whole, rows of any length and text that starts lines inside a value included', async () => {
    await expectPassed(
      'sqlite',
      `PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE t(a);\n${LONG_ROW}INSERT INTO t VALUES(replace('a\\n.system x','\\n',char(10)));\n  .indented is SQL\nCOMMIT;`,
    );
  });

  it.each([
    ['.system touch /tmp/x', 3],
    ['.shell id', 3],
    ['.read /etc/passwd', 3],
  ])('refuse %s', async (command, line) => {
    await expectRefused('sqlite', `BEGIN TRANSACTION;\n${LONG_ROW}${command}\nCOMMIT;\n`, line);
  });

  it('refuse a dot-command on the last line, with no newline after it', async () => {
    await expectRefused('sqlite', 'BEGIN;\n.system id', 2);
  });
});

const PG_DUMP = `--
-- PostgreSQL database dump
--

\\restrict AbC123xyz

SET statement_timeout = 0;
CREATE TABLE public.t (a text);
COPY public.t (a) FROM stdin;
\\N
\\\\! not a command, a value
${'y'.repeat(5000)}
\\.
SELECT 1;

--
-- PostgreSQL database dump complete
--

\\unrestrict AbC123xyz
`;

describe('pg_dump dumps', () => {
  it('pass, COPY data that starts with a backslash included, without pg_dump’s own \\restrict lines', async () => {
    await expectPassed(
      'postgres',
      PG_DUMP,
      PG_DUMP.replace('\\restrict AbC123xyz\n', '').replace('\\unrestrict AbC123xyz\n', ''),
    );
  });

  it.each([
    ['\\! touch /tmp/x', 7],
    ['   \\copy t to /tmp/x', 7],
    ['\\i /etc/passwd', 7],
  ])('refuse %s outside COPY data', async (command, line) => {
    await expectRefused('postgres', PG_DUMP.replace('SET statement_timeout = 0;', command), line);
  });

  it('refuse a meta-command after the end of COPY data', async () => {
    await expectRefused('postgres', PG_DUMP.replace('SELECT 1;', '\\! id'), 14);
  });
});

describe('mysqldump dumps', () => {
  it('pass, with routines between DELIMITER lines', async () => {
    await expectPassed(
      'mysql',
      "-- MySQL dump\n/*!40101 SET NAMES utf8mb4 */;\nINSERT INTO `t` VALUES (1,'\\\\! x'),\n(2,'system');\nDELIMITER ;;\nCREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\nEND ;;\nDELIMITER ;\n-- Dump completed\n",
    );
  });

  it.each([
    ['system touch /tmp/x', 2],
    ['SYSTEM id;', 2],
    ['\\! touch /tmp/x', 2],
    ['  \\. /etc/passwd', 2],
  ])('refuse %s', async (command, line) => {
    await expectRefused('mysql', `-- MySQL dump\n${command}\nSELECT 1;\n`, line);
  });
});
