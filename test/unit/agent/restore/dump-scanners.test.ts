// What each engine's scanner reads out of a dump as it passes: the tables it creates and the rows it loads, whatever
// the strings hold and wherever the stream is cut into chunks.
import { describe, expect, it } from 'vitest';
import {
  DUMP_READERS,
  type DumpScanner,
  type ListedTable,
} from '../../../../agent/restore/inventory/index.js';

function scan(scanner: DumpScanner, text: string, chunk = Number.POSITIVE_INFINITY): ListedTable[] {
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length; at += chunk) scanner.write(bytes.subarray(at, at + chunk));
  scanner.end();
  return scanner.tables();
}

/** The same answer whole, byte by byte, and in chunks of 7. */
function expectScan(engine: keyof typeof DUMP_READERS, text: string, tables: ListedTable[]): void {
  for (const chunk of [Number.POSITIVE_INFINITY, 1, 7]) {
    expect(scan(DUMP_READERS[engine].scanner(), text, chunk), `chunks of ${chunk}`).toEqual(tables);
  }
}

const MYSQL_OLD = `-- MySQL dump
/*!40101 SET NAMES utf8mb4 */;
CREATE TABLE \`patients\` (
  \`id\` int NOT NULL
) ENGINE=InnoDB;
INSERT INTO \`patients\` VALUES (1,'it''s (not) a row'),(2,'back\\\\slash \\' (x) ;'),(3,NULL);
CREATE TABLE \`we\`\`ird\` (\`b\` blob);
INSERT INTO \`we\`\`ird\` VALUES (0x28293B),(0x00);
CREATE TABLE \`empty\` (\`a\` int);
DELIMITER ;;
CREATE DEFINER=\`root\`@\`localhost\` PROCEDURE \`p\`()
BEGIN
INSERT INTO \`patients\` VALUES (9,'not a dump row');
END ;;
DELIMITER ;
`;

const MYSQL_NEW = `/*M!999999\\- enable the sandbox mode */
CREATE TABLE \`all_bytes\` (
  \`b\` varbinary(256)
);
INSERT INTO \`all_bytes\` VALUES
(0,0x00),
(1,'a;b),(c'),
(2,NULL);
UNLOCK TABLES;
`;

const POSTGRES = `SET client_encoding = 'UTF8';
CREATE FUNCTION public.f() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
CREATE TABLE public.not_a_table (a int);
END $$;
CREATE TABLE public.patients (
    id integer NOT NULL
);
CREATE UNLOGGED TABLE "My Schema"."We""ird" (
    a text
);
CREATE TABLE public.empty (a int);
COPY public.patients (id) FROM stdin;
1
2
\\.
COPY "My Schema"."We""ird" (a) FROM stdin;
line with \\n an escaped newline and a \\\\. lookalike
\\.
COPY public.empty (a) FROM stdin;
\\.
`;

const SQLITE = `PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE patients (id INTEGER PRIMARY KEY, name TEXT);
INSERT INTO patients VALUES(1,'Zoë; Ångström');
INSERT INTO patients VALUES(2,replace('line one;\\nINSERT INTO x VALUES(1);','\\n',char(10)));
CREATE TABLE audit_log (id INTEGER PRIMARY KEY AUTOINCREMENT, message TEXT);
INSERT INTO audit_log VALUES(60,'again;');
CREATE TABLE IF NOT EXISTS "odd; name" ("a;b" TEXT, c TEXT -- it's a comment
);
INSERT INTO "odd; name" VALUES('x;y','z');
DELETE FROM sqlite_sequence;
INSERT INTO sqlite_sequence VALUES('audit_log',60);
CREATE TRIGGER patients_audit AFTER INSERT ON patients BEGIN
  INSERT INTO audit_log (message) VALUES ('patient ' || NEW.id);
  INSERT INTO audit_log (message) VALUES ('again;');
END;
CREATE VIEW rich AS SELECT id, name FROM patients /* a view; not a table */;
COMMIT;
`;

describe('mysql dump scanner', () => {
  it('counts the tuples of one-line inserts, skipping strings, escapes and routine bodies', () => {
    expectScan('mysql', MYSQL_OLD, [
      { parts: ['patients'], rows: 3 },
      { parts: ['we`ird'], rows: 2 },
      { parts: ['empty'], rows: 0 },
    ]);
  });

  it('counts the tuples of inserts written one row per line, as newer mariadb-dump does', () => {
    expectScan('mysql', MYSQL_NEW, [{ parts: ['all_bytes'], rows: 3 }]);
  });
});

describe('postgres dump scanner', () => {
  it('counts COPY lines per table, quoted names unquoted, function bodies not taken for tables', () => {
    expectScan('postgres', POSTGRES, [
      { parts: ['public', 'patients'], rows: 2 },
      { parts: ['My Schema', 'We"ird'], rows: 1 },
      { parts: ['public', 'empty'], rows: 0 },
    ]);
  });
});

describe('sqlite dump scanner', () => {
  it('counts one insert per row, splitting statements outside quotes and comments, triggers and internals left out', () => {
    expectScan('sqlite', SQLITE, [
      { parts: ['patients'], rows: 2 },
      { parts: ['audit_log'], rows: 1 },
      { parts: ['odd; name'], rows: 1 },
    ]);
  });
});

describe('mongodb restore scanner', () => {
  it('reads the collections and documents mongorestore reports as it finishes each', () => {
    const scanner = DUMP_READERS.mongodb.scanner();
    scanner.write(Buffer.from('ignored archive bytes'));
    for (const line of [
      '2026-11-30T02:00:00.000+0000\tpreparing collections to restore from',
      '2026-11-30T02:00:01.000+0000\tfinished restoring Clinic_restore.patients (300 documents, 0 failures)',
      '2026-11-30T02:00:01.000+0000\tfinished restoring Clinic_restore.visits.2026 (1 document, 0 failures)',
      '301 document(s) restored successfully. 0 document(s) failed to restore.',
    ]) {
      scanner.stderrLine?.(line);
    }
    scanner.end();
    expect(scanner.tables()).toEqual([
      { parts: ['patients'], rows: 300 },
      { parts: ['visits.2026'], rows: 1 },
    ]);
  });
});
