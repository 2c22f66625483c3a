// Each engine's completion mark, judged on a dump's last bytes as pv shows them (the last 256, every byte that is not
// printable ASCII as '.'): the endings real tools write when they finish, and those of dumps that did not.

import { BSON } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { DUMP_TAIL_BYTES } from '../../../../agent/engines/dump-mark.js';
import { dumpMarkFor, targetConfigSchema } from '../../../../agent/engines/index.js';
import { archiveEofBlock } from '../../../helpers/mongo-archive.js';

/** The dump's end as pv's `%256A` shows it. */
function asPvShows(dump: Buffer | string): string {
  const bytes = Buffer.from(dump).subarray(-DUMP_TAIL_BYTES);
  const shown = [...bytes].map((byte) => (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.'));
  return '.'.repeat(DUMP_TAIL_BYTES - shown.length) + shown.join('');
}

const TARGETS = {
  mysql: { id: 'h', engine: 'mysql', database: 'H', user: 'backup' },
  postgres: { id: 'p', engine: 'postgres', database: 'H', user: 'backup' },
  mongodb: { id: 'm', engine: 'mongodb', database: 'H' },
  sqlite: { id: 's', engine: 'sqlite', database: 'H', path: '/var/lib/h.db' },
} as const;

function verdict(engine: keyof typeof TARGETS, dump: Buffer | string, stderr: string[] = []) {
  const check = dumpMarkFor(targetConfigSchema.parse(TARGETS[engine])).check();
  for (const line of stderr) check.stderrLine?.(line);
  return check.verdict(asPvShows(dump), Buffer.byteLength(dump));
}

const ROWS = "INSERT INTO `patients` VALUES (1,'Ana Sousa','1984-02-29'),(2,'João',NULL);\n";
const MYSQL_FOOTER = '/*!40111 SET SQL_NOTES=@OLD_SQL_NOTES */;\n\n';
const PG_END = '--\n-- PostgreSQL database dump complete\n--\n\n';
const PG_KEY = 'JVHeRZ0DqHyxyGCnjxgf0fDkn8cPJWAgLXR8vKvk3dHmZZyzXd3prEkbGi6oTWY';

describe('completion marks', () => {
  it.each([
    ['mysql', `${ROWS}${MYSQL_FOOTER}-- Dump completed on 2026-12-07 17:16:04\n`],
    // Before 10 o'clock MariaDB pads the hour with a space.
    ['mysql', `${ROWS}${MYSQL_FOOTER}-- Dump completed on 2026-12-08  0:10:09\n`],
    ['mysql', `${ROWS}${MYSQL_FOOTER}-- Dump completed\n`],
    ['postgres', `COPY public.visits (id) FROM stdin;\n1\n\\.\n\n\n${PG_END}\\unrestrict ${PG_KEY}\n\n`],
    [
      'postgres',
      `ALTER TABLE ONLY public.visits ADD CONSTRAINT visits_pkey PRIMARY KEY (id);\n\n\n${PG_END}`,
    ],
    [
      'sqlite',
      'PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE t(a);\nINSERT INTO t VALUES(1);\nCOMMIT;\n',
    ],
    ['sqlite', 'COMMIT;\n'],
  ] as const)('%s: a complete dump passes (%#)', (engine, dump) => {
    expect(verdict(engine, dump)).toBeUndefined();
  });

  it.each([
    // Cut after the last table: the footer and the mark never came.
    ['mysql', `${ROWS}UNLOCK TABLES;\n`, 'its dump does not end with `-- Dump completed` as its last line'],
    // --skip-comments, --compact: the footer without the mark.
    ['mysql', `${ROWS}${MYSQL_FOOTER}`, 'its dump does not end with `-- Dump completed` as its last line'],
    // The mark, but not as the last line.
    [
      'mysql',
      `-- Dump completed on 2026-12-07 17:16:04\n${ROWS}`,
      'its dump does not end with `-- Dump completed` as its last line',
    ],
    [
      'postgres',
      'COPY public.visits (id) FROM stdin;\n1\n2\n',
      'its dump does not end with `-- PostgreSQL database dump complete`',
    ],
    [
      'postgres',
      `${PG_END}CREATE TABLE t (a int);\n`,
      'its dump does not end with `-- PostgreSQL database dump complete`',
    ],
    [
      'sqlite',
      'PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n/**** ERROR: (26) file is not a database *****/\nROLLBACK; -- due to errors\n',
      'it wrote ERROR: (26) file is not a database into the dump and rolled it back',
    ],
    [
      'sqlite',
      'BEGIN TRANSACTION;\nROLLBACK;\n',
      'its dump ends with ROLLBACK: it met an error it reported only inside the dump',
    ],
    [
      'sqlite',
      'BEGIN TRANSACTION;\nINSERT INTO t VALUES(1);\n',
      'its dump does not end with `COMMIT;` as its last line',
    ],
    // A value that merely ends in the word: the mark is a line of its own.
    [
      'sqlite',
      "INSERT INTO t VALUES('x'); COMMIT;\n",
      'its dump does not end with `COMMIT;` as its last line',
    ],
    ['sqlite', '', 'its dump does not end with `COMMIT;` as its last line'],
  ] as const)('%s: an incomplete dump is named so (%#)', (engine, dump, reason) => {
    expect(verdict(engine, dump)).toBe(reason);
  });

  describe('mongodb archive', () => {
    const documents = Buffer.from('\u001e\u0000\u0000\u0000\u0010_id\u0000\u0001\u0000\u0000\u0000\u0000');
    const closed = Buffer.concat([
      documents,
      archiveEofBlock('Hosp', 'visits'),
      archiveEofBlock('Hosp', 'patients'),
    ]);
    const stderr = [
      '2026-12-07T17:14:25.140+0000\twriting Hosp.visits to archive on stdout',
      '2026-12-07T17:14:25.146+0000\twriting Hosp.patients to archive on stdout',
      '2026-12-07T17:14:25.149+0000\tdone dumping Hosp.visits (50 documents)',
      '2026-12-07T17:14:25.304+0000\tdone dumping Hosp.patients (3000 documents)',
    ];

    it('passes an archive ending with a namespace closed, every namespace begun said finished', () => {
      expect(verdict('mongodb', closed, stderr)).toBeUndefined();
      // The oplog of --oplog is begun and finished in words of its own.
      const oplog = ['\twriting captured oplog to archive on stdout', '\tdumped 12 oplog entries'];
      expect(
        verdict('mongodb', Buffer.concat([closed, archiveEofBlock('', 'oplog')]), [...stderr, ...oplog]),
      ).toBeUndefined();
    });

    it('passes the archive of a database without collections: the prelude alone', () => {
      const header = BSON.serialize({
        concurrent_collections: new BSON.Int32(4),
        version: '0.1',
        server_version: '7.0.42',
        tool_version: '100.11.0',
      });
      const prelude = Buffer.concat([Buffer.from('6de29981', 'hex'), header, Buffer.from('ffffffff', 'hex')]);
      expect(verdict('mongodb', prelude)).toBeUndefined();
      // A prelude that announced a collection, and nothing after it.
      const announced = BSON.serialize({
        db: 'Hosp',
        collection: 'visits',
        metadata: '{}',
        size: 0,
        type: '',
      });
      const cut = Buffer.concat([prelude.subarray(0, -4), announced, Buffer.from('ffffffff', 'hex')]);
      expect(verdict('mongodb', cut)).toBe("its archive does not end with a namespace's closing (EOF) block");
    });

    it('refuses an archive cut inside a namespace, or after a block of documents', () => {
      expect(verdict('mongodb', closed.subarray(0, closed.length - 1), stderr)).toBe(
        "its archive does not end with a namespace's closing (EOF) block",
      );
      const open = Buffer.concat([closed, documents, Buffer.from([0xff, 0xff, 0xff, 0xff])]);
      expect(verdict('mongodb', open, stderr)).toBe(
        "its archive does not end with a namespace's closing (EOF) block",
      );
    });

    it('refuses a namespace mongodump began and never said it finished', () => {
      expect(verdict('mongodb', closed, stderr.slice(0, 3))).toBe(
        'it began writing Hosp.patients and never said it finished',
      );
      expect(verdict('mongodb', closed, [...stderr, '\twriting captured oplog to archive on stdout'])).toBe(
        'it began writing captured oplog and never said it finished',
      );
    });
  });
});
