// A MariaDB database whose dump reaches a chosen size: a few thousand varied rows, then INSERT…SELECT doubling.

import { spawn } from 'node:child_process';
import { type MysqlTarget, mysqlTargetSchema } from '../../agent/engines/index.js';
import type { MariaDb } from '../../test/helpers/mariadb.js';

const BENCH_DATABASE = 'BenchDB';
const SEED_ROWS = 8192;

/** The benches' target: `BenchDB` on `db`, dumped by mariadb-dump; `restore` adds what its restore needs. */
export function benchTarget(db: MariaDb, restore?: Record<string, unknown>): MysqlTarget {
  return mysqlTargetSchema.parse({
    id: 'bench',
    engine: 'mysql',
    database: BENCH_DATABASE,
    host: db.host,
    port: db.port,
    user: db.user,
    toolPath: '/usr/bin/mariadb-dump',
    ...(restore && { restore }),
  });
}

// Clinical-looking text with a random reference in every row, so the dump compresses like real data (about 3:1),
// not like repeated filler; `token` is binary, dumped as hex.
const SEED_SQL = `
CREATE TABLE events (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  patient_id INT NOT NULL,
  at DATETIME NOT NULL,
  kind VARCHAR(16) NOT NULL,
  amount DECIMAL(12,2) NULL,
  note VARCHAR(400) NOT NULL,
  token BINARY(16) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
SET SESSION max_recursive_iterations = ${SEED_ROWS};
INSERT INTO events (patient_id, at, kind, amount, note, token)
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${SEED_ROWS})
SELECT i % 50000, '2020-01-01' + INTERVAL i * 7 MINUTE,
  ELT(1 + i % 4, 'checkup', 'surgery', 'follow-up', 'lab'),
  IF(i % 11 = 0, NULL, ROUND(RAND() * 5000, 2)),
  CONCAT('Patient ', i % 50000, ': ',
    ELT(1 + i % 6, 'routine checkup, blood pressure normal, no medication change',
      'follow-up after surgery; wound healing well, dressing changed',
      'lab results reviewed — cholesterol slightly high, diet advised',
      'referred to cardiology for an ECG; patient reports chest pain',
      'vaccination administered (influenza), no adverse reaction observed',
      'prescription renewed: metformin 500 mg twice daily for 90 days'),
    ' ref ', MD5(RAND()), ' ', LEFT(SHA2(RAND(), 256), 24)),
  UNHEX(MD5(RAND()))
FROM n;
`;

const COPY_COLUMNS = `SELECT (patient_id * 7 + 13) % 50000, at + INTERVAL 3 DAY, kind, amount,
  CONCAT(SUBSTRING_INDEX(note, ' ref ', 1), ' ref ', MD5(RAND()), ' ', LEFT(SHA2(RAND(), 256), 24)), UNHEX(MD5(RAND()))
  FROM events`;

/** Bytes of the dump the target produces now, counted from mariadb-dump's stdout. */
function dumpSize(db: MariaDb, target: MysqlTarget): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'mariadb-dump',
      [
        '--no-defaults',
        `--socket=${db.socket}`,
        '--user=root',
        '--single-transaction',
        '--hex-blob',
        target.database,
      ],
      {
        env: { ...process.env, MYSQL_PWD: db.rootPassword },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let bytes = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve(bytes) : reject(new Error(`mariadb-dump exited ${code}`)),
    );
  });
}

/** Fills `BenchDB` until its dump is about `targetBytes`; returns the row count. */
export async function generateDataset(
  db: MariaDb,
  target: MysqlTarget,
  targetBytes: number,
): Promise<number> {
  await db.exec(`CREATE DATABASE ${BENCH_DATABASE};`);
  await db.exec(SEED_SQL, BENCH_DATABASE);
  const bytesPerRow = (await dumpSize(db, target)) / SEED_ROWS;
  const wanted = Math.ceil(targetBytes / bytesPerRow);
  let rows = SEED_ROWS;
  while (rows < wanted) {
    const add = Math.min(rows, wanted - rows);
    await db.exec(
      `INSERT INTO events (patient_id, at, kind, amount, note, token) ${COPY_COLUMNS} LIMIT ${add};`,
      BENCH_DATABASE,
    );
    rows += add;
  }
  return rows;
}
