// Alerts of the local stack, where an admin sees them: one line from db-backup and from `npm start -- --watch` naming
// each alert's subject and file, and a mail that `cat` shows as written and a mail parser still reads.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bigDemoDatabase, cli, startNpmStart } from '../../helpers/cli-process.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-alerts-'));
  // No patient on record: the restore's check fails, and the run is alerted.
  await bigDemoDatabase(join(dir, 'demo.sqlite'), 0, 0);
}, 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const ALERT_LINE = /^db-backup: alert written: Restore failed: demo \((\d{4}-\d{2}-\d{2})\) \((.+\.eml)\)$/m;

describe('an alert of the local stack', () => {
  it('is named by db-backup, with its subject and file, and reads as plain text', async () => {
    expect((await cli(['--local', '--data', dir, 'run', '--quiet'])).code).toBe(0);
    const restore = await cli(['--local', '--data', dir, 'restore', 'demo', '--quiet']);
    expect(restore.code, restore.stderr).toBe(1);
    const [, date, file] = ALERT_LINE.exec(restore.stderr) ?? [];
    expect(file, restore.stderr).toBeDefined();
    const mime = await readFile(resolve(file as string), 'utf8');
    expect(mime).toContain('Content-Transfer-Encoding: 8bit');
    expect(mime).toContain(`Subject: Restore failed: demo (${date})`);
    expect(mime).toContain(`The restore of ${date} failed for: demo.`);
    expect(mime).toMatch(/error VALIDATION_FAILED: /);
    const parsed = await simpleParser(Buffer.from(mime));
    expect(parsed.subject).toBe(`Restore failed: demo (${date})`);
    expect(parsed.text).toContain('check "patients on record": gave 0, must be >= 1');
    // A run that alerts nothing names nothing.
    const again = await cli(['--local', '--data', dir, 'run', '--quiet']);
    expect(again.stderr).not.toContain('alert written');
  }, 180_000);

  it('is named by npm start -- --watch, whoever ran what alerted', async () => {
    const watch = startNpmStart(['--data', dir, '--watch', '--every', '60']);
    try {
      await watch.waitFor(/Restore run .*: failed/);
      expect(watch.output()).toMatch(
        /^ {2}alert written: Restore failed: demo \(\d{4}-\d{2}-\d{2}\) \(.+\.eml\)$/m,
      );
      const before = watch.output().match(/alert written/g)?.length ?? 0;
      // A restore asked for in another shell alerts through the running stack, which says so.
      const restore = await cli(['--local', '--data', dir, 'restore', 'demo', '--quiet']);
      expect(restore.stderr).toMatch(ALERT_LINE);
      await watch.waitFor(new RegExp(`(alert written[^]*){${before + 1}}`));
      watch.child.kill('SIGINT');
      expect(await watch.exited).toBe(0);
      expect(watch.output()).toContain('Ctrl-C: stopping the local stack');
    } finally {
      if (watch.child.exitCode === null) watch.child.kill('SIGKILL');
    }
  }, 180_000);
});
