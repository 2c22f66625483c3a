// The logrotate file install.sh puts in /etc/logrotate.d, run by a real logrotate (where installed) on copies
// of its stanzas pointed at a temp folder: a log past 50 MB is rotated before its week is out, a small one is not.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CONFIG = join(import.meta.dirname, '../../../../agent/deploy/db-backup-agent.logrotate');
const LOGROTATE = '/usr/sbin/logrotate';
const run = promisify(execFile);

describe.skipIf(!existsSync(LOGROTATE))('the logrotate file', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'logrotate-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('rotates a log past 50 MB at once, and leaves a small one for its week', async () => {
    const group = (await run('id', ['-gn'])).stdout.trim();
    const user = userInfo().username;
    // The installed paths and owners, moved into the temp folder; rsyslog's reopen is not there to call.
    const config = (await readFile(CONFIG, 'utf8'))
      .replaceAll('/var/log/', `${dir}/`)
      .replaceAll('db-backup adm', `${user} ${group}`)
      .replace('/usr/lib/rsyslog/rsyslog-rotate', 'true');
    await writeFile(join(dir, 'logrotate.conf'), config);
    await mkdir(join(dir, 'db-backup'));
    const big = join(dir, 'db-backup', 'agent.log');
    const small = join(dir, 'db-backup-agent.log');
    // Sparse: logrotate compares the size, not the blocks.
    await writeFile(big, 'x');
    await truncate(big, 60 * 1024 * 1024);
    await writeFile(small, '{"event":"job.succeeded"}\n');
    await run(LOGROTATE, ['-s', join(dir, 'state'), join(dir, 'logrotate.conf')]);
    expect((await readdir(join(dir, 'db-backup'))).sort()).toEqual(['agent.log', 'agent.log.1']);
    expect((await readFile(big)).length).toBe(0);
    expect(await readFile(small, 'utf8')).toBe('{"event":"job.succeeded"}\n');
  });
});
