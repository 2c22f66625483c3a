import { execFile } from 'node:child_process';
import { appendFile, chmod, copyFile, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const SCRIPT = join(import.meta.dirname, '../../../../agent/deploy/db-backup-login-banner.sh');
const run = promisify(execFile);

function line(time: string, level: string, event: string, targetId: string, errorCode?: string): string {
  const message = `backup of ${targetId} ${event === 'job.failed' ? 'failed: mysqldump said "denied"' : 'ok'}`;
  return `${JSON.stringify({ time, level, event, message, targetId, ...(errorCode ? { errorCode } : {}) })}\n`;
}

describe('login banner (profile.d)', () => {
  let dir: string;
  let logDir: string;
  let home: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'banner-'));
    logDir = join(dir, 'log');
    home = join(dir, 'home');
    await mkdir(logDir);
    await mkdir(home);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const banner = async (shell = 'bash', extra: Record<string, string> = { DB_BACKUP_BANNER: 'always' }) => {
    const { stdout, stderr } = await run(shell, [SCRIPT], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, DB_BACKUP_LOG_DIR: logDir, ...extra },
    });
    expect(stderr).toBe('');
    return stdout;
  };

  it('shows the job failures since the last login once, then only newer ones', async () => {
    await writeFile(
      join(logDir, 'agent.log'),
      line('2025-03-01T02:00:00.000Z', 'info', 'job.started', 'HospitalDB') +
        line('2025-03-01T02:00:09.000Z', 'error', 'job.failed', 'HospitalDB', 'DUMP_FAILED') +
        line('2025-03-01T02:00:10.000Z', 'warning', 'request.unauthenticated', '-', 'SIGNATURE_EXPIRED'),
    );
    const first = await banner();
    expect(first).toContain('1 failure(s) since your last login');
    expect(first).toMatch(
      /2025-03-01T02:00:09.000Z +HospitalDB +DUMP_FAILED +backup of HospitalDB failed: mysqldump said "denied"/,
    );
    expect(first).not.toContain('SIGNATURE_EXPIRED');
    expect((await stat(join(home, '.db-backup-last-seen'))).isFile()).toBe(true);

    expect(await banner()).toBe('');

    await new Promise((resolve) => setTimeout(resolve, 20));
    await appendFile(
      join(logDir, 'agent.log'),
      line(new Date().toISOString(), 'error', 'job.interrupted', 'MDBackoffice', 'JOB_INTERRUPTED'),
    );
    const third = await banner('dash');
    expect(third).toContain('1 failure(s)');
    expect(third).toContain('MDBackoffice');
    expect(third).not.toContain('HospitalDB');
  });

  it('reads rotated and compressed logs, oldest first, and caps the list', async () => {
    let older = '';
    for (let i = 0; i < 25; i++) {
      older += line(
        `2025-03-01T02:00:${String(i).padStart(2, '0')}.000Z`,
        'error',
        'job.failed',
        `db${i}`,
        'DUMP_FAILED',
      );
    }
    await writeFile(join(logDir, 'agent.log.2.gz'), gzipSync(older));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await writeFile(
      join(logDir, 'agent.log'),
      line('2025-03-02T02:00:00.000Z', 'error', 'job.failed', 'latest', 'UPLOAD_FAILED'),
    );
    const out = await banner();
    expect(out).toContain('26 failure(s)');
    expect(out).toContain('(the last 20 shown)');
    expect(out).not.toMatch(/\bdb5\b/);
    expect(out).toMatch(/db24[\s\S]*latest/);
  });

  it('stays silent in non-interactive shells and when the log folder cannot be read', async () => {
    await writeFile(
      join(logDir, 'agent.log'),
      line('2025-03-01T02:00:09.000Z', 'error', 'job.failed', 'x', 'DUMP_FAILED'),
    );
    expect(await banner('bash', {})).toBe('');
    await expect(stat(join(home, '.db-backup-last-seen'))).rejects.toThrow();
    expect(
      await banner('bash', { DB_BACKUP_BANNER: 'always', DB_BACKUP_LOG_DIR: join(dir, 'missing') }),
    ).toBe('');
    // A user outside the log folder's group: no output, no error, the login goes on.
    await chmod(dir, 0o755);
    await chmod(home, 0o777);
    await chmod(logDir, 0o750);
    // The checkout may sit in a folder `nobody` cannot enter; a copy beside the logs is readable as installed.
    const installed = join(dir, 'db-backup-login-banner.sh');
    await copyFile(SCRIPT, installed);
    await chmod(installed, 0o644);
    const { stdout, stderr } = await run('runuser', ['-u', 'nobody', '--', 'bash', installed], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: home,
        DB_BACKUP_LOG_DIR: logDir,
        DB_BACKUP_BANNER: 'always',
      },
    });
    expect([stdout, stderr]).toEqual(['', '']);
    await run('runuser', ['-u', 'nobody', '--', 'test', '-r', join(logDir, 'agent.log')]).then(
      () => expect.unreachable('nobody must not read the log'),
      () => {},
    );
  });

  it('prints no control bytes from the log and caps each line', async () => {
    // What a forged or corrupted line could carry: a window-title OSC, a clear screen, a UTF-8 C1 CSI, DEL, a
    // bell, a raw 8-bit CSI, and enough text to fill the screen; the non-ASCII letters must survive.
    const hostile = `failed: \u001b]0;owned\u0007 \u001b[2J\u001b[31mred \u009b6n \u007f RAW caf\u00e9 \u20ac ${'x'.repeat(1000)}`;
    const json = line('2025-03-01T02:00:09.000Z', 'error', 'job.failed', 'Hospital\u001b[8mDB', 'DUMP_FAILED')
      .replace(/"message":"[^"]*"/, () => `"message":"${hostile}"`)
      // Raw control bytes in the file, as JSON.stringify never writes them: the banner cannot rely on escaping.
      .replace(/\\u([0-9a-f]{4})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
    const [before, after] = json.split('RAW');
    const bytes = Buffer.concat([Buffer.from(before ?? ''), Buffer.from([0x9b]), Buffer.from(after ?? '')]);
    expect(bytes.includes(0x1b)).toBe(true);
    await writeFile(join(logDir, 'agent.log'), bytes);

    const { stdout } = await run('bash', [SCRIPT], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: home,
        DB_BACKUP_LOG_DIR: logDir,
        DB_BACKUP_BANNER: 'always',
      },
      encoding: 'buffer',
    });
    const out = Buffer.from(stdout);
    expect([...out].filter((byte) => (byte < 0x20 && byte !== 0x0a) || byte === 0x7f)).toEqual([]);
    const text = out.toString('utf8');
    expect(text).not.toMatch(/[\u0080-\u009f\ufffd]/);
    expect(text).toMatch(/Hospital\[8mDB +DUMP_FAILED +failed: \]0;owned \[2J\[31mred 6n {3}café € x+\n/);
    for (const printed of text.split('\n')) expect(Buffer.byteLength(printed)).toBeLessThanOrEqual(200);
  });
});
