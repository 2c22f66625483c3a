// `restore --keep` on the local stack: it says where the kept scratch database is and the command that drops it; the
// next restore and the drill are refused SCRATCH_EXISTS saying both again; that command drops it (only one the agent
// kept, never the source), and the drill then passes.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../local/stack.js';
import { cli } from '../../helpers/cli-process.js';

let dir: string;
let stack: LocalStack;
const local = (...args: string[]) => cli(['--local', '--data', dir, ...args]);
/** The file the kept scratch database was, as the restore printed it. */
let keptAt = '';
const DROP = /^db-backup drop-scratch demo --scratch demo_restore$/;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-keep-'));
  stack = await startLocalStack(dir);
  expect((await local('run', '--quiet')).code).toBe(0);
}, 180_000);

afterAll(async () => {
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The command a line printed names, as words: `… with: db-backup drop-scratch …` or between backquotes. */
function printedCommand(text: string, pattern: RegExp): string[] {
  const found = pattern.exec(text)?.[1];
  expect(found, text).toMatch(DROP);
  return (found as string).split(' ').slice(1);
}

describe('a scratch database kept by restore --keep', () => {
  it('is named with its place and the command that drops it, which then drops it, and the drill passes', async () => {
    const kept = await local('restore', 'demo', '--keep', '--quiet');
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.stdout).toContain('into demo_restore (kept)');
    const where = /^kept: (\/\S+); drop it with: (.+)$/m.exec(kept.stdout);
    expect(where?.[1], kept.stdout).toBeDefined();
    expect(existsSync(where?.[1] as string)).toBe(true);
    const command = printedCommand(kept.stdout, /^kept: .*; drop it with: (.+)$/m);

    // The trap: the next restore and the drill fail, and say where it is and how to drop it.
    for (const args of [
      ['restore', 'demo'],
      ['restore', '--drill'],
    ]) {
      const blocked = await local(...args, '--quiet');
      expect(blocked.code, blocked.stderr).toBe(1);
      expect(blocked.stdout).toContain(
        `SCRATCH_EXISTS: the scratch database demo_restore exists already (${where?.[1]})`,
      );
      expect(printedCommand(blocked.stdout, /drop it with `([^`]+)`/)).toEqual(command);
    }

    const dropped = await local(...command);
    expect(dropped.code, dropped.stderr).toBe(0);
    expect(dropped.stdout).toMatch(
      /^dropped demo_restore \(.+\), kept by restore [\w-]+ of demo_\d{8}\.sql\.gz\.age$/m,
    );
    expect(existsSync(where?.[1] as string)).toBe(false);
    expect((await local('restore', '--drill', '--quiet')).code).toBe(0);
    keptAt = where?.[1] as string;
  });

  it('is the only one dropped: one the agent did not keep, or the source, is refused with exit 4', async () => {
    const notKept = await local('drop-scratch', 'demo');
    expect(notKept.code).toBe(4);
    expect(notKept.stderr).toMatch(/SCRATCH_NOT_KEPT: .*no restore of this agent kept demo_restore of demo/);
    const source = await local('drop-scratch', 'demo', '--scratch', 'demo');
    expect(source.code).toBe(4);
    expect(source.stderr).toMatch(
      /SCRATCH_REFUSED: .*demo is not one of demo's scratch databases \(allowed: demo_restore\)/,
    );
    // A file of that name the agent did not make stays where it is.
    expect(keptAt).not.toBe('');
    await writeFile(keptAt, 'not the agent’s');
    expect((await local('drop-scratch', 'demo')).code).toBe(4);
    expect(existsSync(keptAt)).toBe(true);
    await rm(keptAt);
  });
});
