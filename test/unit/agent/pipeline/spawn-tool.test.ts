// Starting a tool: secrets reach it through a descriptor on a file that no longer has a name, and the agent's own
// environment stays behind.

import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { spawnTool } from '../../../../agent/pipeline/spawn-tool.js';

async function output(tool: ReturnType<typeof spawnTool>): Promise<{ stdout: string; code: number | null }> {
  const chunks: Buffer[] = [];
  tool.child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
  const code = await tool.closed;
  return { stdout: Buffer.concat(chunks).toString(), code };
}

const leftovers = () => readdirSync('/dev/shm').filter((name) => name.startsWith('db-backup-'));

describe('spawnTool', () => {
  it('hands each secret file as /dev/fd/3, 4, … with nothing left on disk while the tool runs', async () => {
    const before = leftovers();
    const tool = spawnTool({
      file: 'sh',
      args: ['-c', 'ls /dev/shm; echo ---; cat /dev/fd/3; echo; cat /dev/fd/4; stat -L -c %a /dev/fd/3'],
      env: {},
      secretFiles: ['first secret', 'second'],
    });
    const { stdout, code } = await output(tool);
    expect(code).toBe(0);
    const [listing = '', rest = ''] = stdout.split('---\n');
    expect(listing.split('\n').filter((name) => name.startsWith('db-backup-'))).toEqual(before);
    expect(rest).toBe('first secret\nsecond600\n');
  });

  it('passes only PATH, HOME, LANG, LC_ALL and TZ from the agent, plus the command’s env', async () => {
    process.env.AGENT_ONLY_SECRET = 'must-not-leak';
    try {
      const { stdout } = await output(
        spawnTool({ file: 'env', args: [], env: { PGPASSWORD: 'x' }, secretFiles: [] }),
      );
      const names = stdout
        .trim()
        .split('\n')
        .map((line) => line.split('=')[0]);
      expect(names).toContain('PGPASSWORD');
      expect(names).not.toContain('AGENT_ONLY_SECRET');
      expect(
        names.every((name) => ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'PGPASSWORD'].includes(name ?? '')),
      ).toBe(true);
    } finally {
      delete process.env.AGENT_ONLY_SECRET;
    }
  });

  it('rejects `closed` when the tool cannot start', async () => {
    const tool = spawnTool({ file: '/nonexistent/tool', args: [], env: {}, secretFiles: [] });
    await expect(tool.closed).rejects.toThrow(/ENOENT/);
  });

  it('kill() stops a running tool, which then reports a null exit code', async () => {
    const tool = spawnTool({ file: 'sleep', args: ['30'], env: {}, secretFiles: [] });
    tool.kill();
    expect(await tool.closed).toBeNull();
    expect(tool.child.signalCode).toBe('SIGTERM');
  });
});
