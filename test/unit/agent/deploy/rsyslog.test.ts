// The rsyslog snippet install.sh puts in /etc/rsyslog.d, run by a real rsyslogd (where installed) on a private
// socket: the agent's lines, by their syslog identifier, land in their own file; nobody else's do.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SNIPPET = join(import.meta.dirname, '../../../../agent/deploy/db-backup-agent.rsyslog.conf');
const RSYSLOGD = '/usr/sbin/rsyslogd';
const run = promisify(execFile);

describe.skipIf(!existsSync(RSYSLOGD))('the rsyslog snippet', () => {
  let dir: string;
  let child: ReturnType<typeof spawn> | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rsyslog-'));
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('is valid rsyslog configuration', async () => {
    const config = join(dir, 'validate.conf');
    await writeFile(config, `$IncludeConfig ${SNIPPET}\n`);
    const { stderr } = await run(RSYSLOGD, ['-N1', '-f', config]);
    expect(stderr).toContain('End of config validation run');
  });

  it("files the agent's lines, and only those, under their own name", async () => {
    const out = join(dir, 'db-backup-agent.log');
    const snippet = (await readFile(SNIPPET, 'utf8')).replace('/var/log/db-backup-agent.log', out);
    await writeFile(join(dir, 'snippet.conf'), snippet);
    const socket = join(dir, 'log.sock');
    await writeFile(
      join(dir, 'rsyslog.conf'),
      `global(workDirectory="${dir}")\nmodule(load="imuxsock" SysSock.Name="${socket}")\n$IncludeConfig ${join(dir, 'snippet.conf')}\n`,
    );
    child = spawn(RSYSLOGD, ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'pid')], {
      stdio: 'ignore',
    });
    for (let i = 0; i < 200 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 25));
    const line = '{"level":"error","event":"job.failed","errorCode":"DUMP_FAILED"}';
    await run('logger', ['-u', socket, '-t', 'someone-else', '-p', 'daemon.err', 'not a backup line']);
    await run('logger', ['-u', socket, '-t', 'db-backup-agent', '-p', 'daemon.err', line]);
    for (let i = 0; i < 200 && !existsSync(out); i++) await new Promise((r) => setTimeout(r, 25));
    let text = '';
    for (let i = 0; i < 200 && !text.includes('DUMP_FAILED'); i++) {
      text = await readFile(out, 'utf8');
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(text).toMatch(
      / db-backup-agent(\[\d+\])?: \{"level":"error","event":"job\.failed","errorCode":"DUMP_FAILED"\}\n$/,
    );
    expect(text).not.toContain('not a backup line');
    expect((await stat(out)).mode & 0o777).toBe(0o640);
  });
});
