import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSyslogSender, loggerCommand } from '../../../../agent/log/syslog.js';

async function waitFor<T>(read: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await read().catch(() => undefined);
    if (value !== undefined) return value;
    await sleep(25);
  }
  throw new Error('timed out');
}

describe('syslog through logger', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'syslog-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('builds the logger command with the tag and the priority, the line kept off argv', () => {
    expect(loggerCommand('logger', 'err')).toEqual({
      file: 'logger',
      args: ['-t', 'db-backup-agent', '-p', 'user.err'],
    });
  });

  it('hands the line to the command on stdin, without a shell', async () => {
    const out = join(dir, 'out');
    const fake = join(dir, 'fake-logger');
    await writeFile(fake, `#!/bin/sh\n{ echo "$@"; cat; } > '${out}'\n`);
    await chmod(fake, 0o755);
    createSyslogSender(fake)('warning', '{"event":"x; rm -rf /"}');
    expect(
      await waitFor(async () =>
        (await readFile(out, 'utf8')).includes('}') ? readFile(out, 'utf8') : undefined,
      ),
    ).toBe('-t db-backup-agent -p user.warning\n{"event":"x; rm -rf /"}\n');
  });

  it('reports a missing or failing logger instead of throwing', async () => {
    const errors: Error[] = [];
    createSyslogSender(join(dir, 'no-such-logger'), (error) => errors.push(error))('err', 'line');
    const failing = join(dir, 'failing-logger');
    await writeFile(failing, '#!/bin/sh\ncat >/dev/null; exit 3\n');
    await chmod(failing, 0o755);
    createSyslogSender(failing, (error) => errors.push(error))('err', 'line');
    await waitFor(async () => (errors.length === 2 ? true : undefined));
    expect(errors.map((error) => error.message).join('\n')).toMatch(/ENOENT[\s\S]*exited with code 3/);
  });
});
