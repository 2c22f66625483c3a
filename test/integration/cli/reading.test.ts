// db-backup as the admin reads it on a terminal: a failed row in red, nothing but text under NO_COLOR or in a pipe,
// the table within the terminal's width (every word still in --json), times with their zone, and a restore's
// percentage, rate and time left while it runs.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../../functions/api.js';
import { bigDemoDatabase, cli, cliOnTerminal, slowSqlite3 } from '../../helpers/cli-process.js';

const ESC = '\u001b';
/** The output as seen, colours and the terminal's line ends taken out. */
const seen = (text: string) => text.replace(new RegExp(`${ESC}\\[\\d+m`, 'g'), '').replaceAll('\r\n', '\n');

let dir: string;
let slow: string;
const local = (...args: string[]) => ['--local', '--data', dir, ...args];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-reading-'));
  // No patient on record: each restore fails its check, so there is a failed row to see.
  await bigDemoDatabase(join(dir, 'demo.sqlite'), 24, 0);
  const run = await cli(local('run', '--quiet'));
  expect(run.code, run.stderr).toBe(0);
  slow = await slowSqlite3('4m');
}, 180_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  if (slow) await rm(slow, { recursive: true, force: true });
});

describe('db-backup on a terminal', () => {
  it("colours a failed restore, shows its download's percentage, rate and time left, and keeps to the width", async () => {
    const run = await cliOnTerminal(local('restore', 'demo'), {
      PATH: `${slow}:${process.env.PATH}`,
      TERM: 'xterm-256color',
    });
    expect(run.code, run.stdout).toBe(1);
    expect(run.stdout).toContain(`${ESC}[31mfailed${ESC}[39m`);
    const text = seen(run.stdout);
    // Rewritten in place: each state of the line begins after a carriage return.
    const progress = text.split(/[\r\n]/).filter((line) => line.startsWith('demo: restoring'));
    expect(progress.some((line) => /downloaded \(\d{1,2}%, [\d.]+ MiB\/s, 0:\d\d left\)/.test(line))).toBe(
      true,
    );
    const rows = text.split('\n').filter((line) => /^(target|demo) /.test(line));
    expect(rows.length).toBe(2);
    for (const row of rows) expect(row.trimEnd().length).toBeLessThanOrEqual(80);
    expect(text).toMatch(/^demo\s+failed\s+demo_\d{8}\.sql\.gz\.age\s.*VALIDATION_FAILED: .*…$/m);
    expect(text).toContain('(cut to the terminal’s width: --json prints every word)');
  }, 180_000);

  it('prints no escape at all under NO_COLOR, progress included', async () => {
    const restore = await cliOnTerminal(local('restore', 'demo'), {
      NO_COLOR: '1',
      TERM: 'xterm-256color',
      PATH: `${slow}:${process.env.PATH}`,
    });
    expect(restore.code, restore.stdout).toBe(1);
    expect(restore.stdout).toMatch(/^demo\s+failed/m);
    expect(restore.stdout).toMatch(/downloaded \(\d+%/);
    const list = await cliOnTerminal(local('list'), { NO_COLOR: '1', TERM: 'xterm-256color' });
    expect(list.code, list.stdout).toBe(0);
    for (const run of [restore, list]) expect(run.stdout).not.toContain(ESC);
  }, 180_000);

  it('prints no colour into a pipe, whole rows, and every word of the detail in --json', async () => {
    const table = await cli(local('restore', 'demo', '--quiet'), { TERM: 'xterm-256color' });
    expect(table.code).toBe(1);
    expect(table.stdout + table.stderr).not.toContain(ESC);
    const json = await cli(local('restore', 'demo', '--quiet', '--json'));
    const [target] = (JSON.parse(json.stdout) as RunReport).targets;
    const detail = `${target?.error?.code}: ${target?.error?.message}`;
    expect(detail.length).toBeGreaterThan(40);
    expect(table.stdout).toContain(detail);
  }, 180_000);

  it('spells times with their zone, as npm start does', async () => {
    const list = await cli(local('list'));
    expect(list.stdout).toMatch(/\s\d{4}-\d{2}-\d{2} \d\d:\d\d UTC\s/);
    expect(list.stdout).not.toMatch(/\d\d:\d\d(?! UTC)\s/);
  });
});
