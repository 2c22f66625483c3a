// The embedded default's database: a small SQLite file, created and filled on first start with the sqlite3 CLI.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { locateExecutable } from '../agent/pipeline/required-tools.js';

const run = promisify(execFile);

const DEMO_SQL = `
CREATE TABLE patients (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  born TEXT,
  notes TEXT
);
CREATE TABLE appointments (
  id INTEGER PRIMARY KEY,
  patient_id INTEGER NOT NULL REFERENCES patients(id),
  starts_at TEXT NOT NULL,
  room TEXT
);
CREATE VIEW upcoming AS
  SELECT p.name, a.starts_at, a.room FROM appointments a JOIN patients p ON p.id = a.patient_id;
INSERT INTO patients (name, born, notes) VALUES
  ('Ana Sousa', '1984-02-29', 'allergic to penicillin'),
  ('João Gonçalves', '1990-07-14', NULL),
  ('Maria Åström', '1975-11-03', 'prefers mornings');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
INSERT INTO appointments (patient_id, starts_at, room)
  SELECT 1 + i % 3, datetime('2026-01-01', '+' || i || ' hours'), 'R' || (i % 7) FROM n;
`;

/** The admin's check the demo restore runs: the restored database knows its patients. */
export const DEMO_CHECK = {
  name: 'patients on record',
  query: 'SELECT COUNT(*) FROM patients',
  expect: { atLeast: 1 },
};

/**
 * The local stack's one outside tool: it creates the demo database, and the agent dumps and restores it with it. Asked
 * for before anything starts, so its absence is one line that says how to install it, not `spawn sqlite3 ENOENT`.
 */
export function requireSqlite3(sqlite3 = 'sqlite3'): void {
  if (locateExecutable(sqlite3)) return;
  throw new Error(
    'the sqlite3 command is not on PATH, and the demo database is made, dumped and restored with it: install it (Debian, Ubuntu: sudo apt-get install sqlite3; Fedora: sudo dnf install sqlite; macOS: brew install sqlite)',
  );
}

/** Creates the demo database at `path` unless it exists; built beside it and renamed, so a failure leaves none. */
export async function ensureDemoDatabase(path: string, sqlite3 = 'sqlite3'): Promise<void> {
  if (existsSync(path)) return;
  const building = `${path}.building`;
  await rm(building, { force: true });
  const child = run(sqlite3, ['-bail', building]);
  child.child.stdin?.end(DEMO_SQL);
  try {
    await child;
  } catch (error) {
    throw new Error(`cannot create the demo database with ${sqlite3}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  await rename(building, path);
}
