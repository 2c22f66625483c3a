// db-backup and npm start as an admin runs them: each in its own process, through pipes or on a terminal (a
// pseudo-terminal made by util-linux's `script`), started, watched and interrupted like a shell does.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool } from './stand-in-tools.js';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const CLI = ['--import', 'tsx', 'cli/main.ts'];
const START = ['--import', 'tsx', 'local/start.ts'];

/** The inherited environment without what would decide the result for the test: colours, credentials, metadata. */
function cleanEnv(env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const {
    FORCE_COLOR: _f,
    NO_COLOR: _n,
    GOOGLE_APPLICATION_CREDENTIALS: _g,
    METADATA_SERVER_DETECTION: _m,
    // Node reads these when it decides whether a terminal shows colours; an admin's terminal has none of them.
    CI: _ci,
    NODE_DISABLE_COLORS: _d,
    TEAMCITY_VERSION: _t,
    TF_BUILD: _tf,
    ...rest
  } = process.env;
  return { ...rest, ...env };
}

function collect(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { env: cleanEnv(env), timeout: 180_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** db-backup through pipes, as a script runs it. */
export const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  collect(process.execPath, [...CLI, ...args], env);

/** npm start through pipes. */
export const npmStart = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  collect(process.execPath, [...START, ...args], env);

const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

/** db-backup on a terminal `columns` wide: what the admin sees, stdout and stderr as one stream. */
export function cliOnTerminal(args: string[], env: NodeJS.ProcessEnv = {}, columns = 80): Promise<Run> {
  const command = `stty cols ${columns} rows 50; exec ${[process.execPath, ...CLI, ...args].map(quote).join(' ')}`;
  return collect('script', ['-qefc', command, '/dev/null'], env);
}

/** A process started in the background, its output gathered as it comes. */
export interface Started {
  child: ChildProcess;
  output(): string;
  /** Resolves once the output matches `pattern`; rejects when the process ends first or `ms` pass. */
  waitFor(pattern: RegExp, ms?: number): Promise<void>;
  exited: Promise<number | null>;
}

function background(args: string[], env: NodeJS.ProcessEnv): Started {
  const child = spawn(process.execPath, args, { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout?.on('data', (chunk) => (text += chunk));
  child.stderr?.on('data', (chunk) => (text += chunk));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return {
    child,
    output: () => text,
    async waitFor(pattern, ms = 120_000) {
      const deadline = Date.now() + ms;
      while (!pattern.test(text)) {
        if (child.exitCode !== null || Date.now() > deadline)
          throw new Error(`never printed ${pattern} (exit ${child.exitCode}):\n${text}`);
        await new Promise((done) => setTimeout(done, 50));
      }
    },
    exited,
  };
}

export const startCli = (args: string[], env: NodeJS.ProcessEnv = {}) => background([...CLI, ...args], env);
export const startNpmStart = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  background([...START, ...args], env);

/**
 * A demo database of about `mebibytes` MiB (random text, which compresses to about half) at `path`, its `patients`
 * table holding `patients` rows: with none, every restore of it fails its check.
 */
export async function bigDemoDatabase(path: string, mebibytes: number, patients: number): Promise<void> {
  const rows = Math.round((mebibytes * 1024 * 1024) / 2000);
  await runTool('sqlite3', [path], {
    input: `CREATE TABLE patients (id INTEGER PRIMARY KEY, name TEXT);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${patients}) INSERT INTO patients (name) SELECT 'p' || i FROM n WHERE ${patients} > 0;
CREATE TABLE notes (body TEXT);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows}) INSERT INTO notes SELECT hex(randomblob(1000)) FROM n;`,
  });
}

/**
 * A folder to put first on PATH whose `sqlite3` is the real one slowed to `rate` (pv -L) on the dump it writes and on
 * the dump it restores, so a run lasts long enough to watch and interrupt.
 */
export async function slowSqlite3(rate: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'slow-sqlite3-'));
  const [sqlite3, pv] = await Promise.all(
    ['sqlite3', 'pv'].map(async (tool) => (await runTool('sh', ['-c', `command -v ${tool}`])).trim()),
  );
  const script = `#!/bin/sh
case " $* " in
  *" .dump "*) ${sqlite3} "$@" | ${pv} -q -L ${rate} ;;
  *" -safe "*" -readonly "*) exec ${sqlite3} "$@" ;;
  *" -safe "*) ${pv} -q -L ${rate} | ${sqlite3} "$@" ;;
  *) exec ${sqlite3} "$@" ;;
esac
`;
  await writeFile(join(dir, 'sqlite3'), script);
  await chmod(join(dir, 'sqlite3'), 0o755);
  return dir;
}
