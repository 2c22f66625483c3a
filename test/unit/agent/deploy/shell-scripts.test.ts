// The shell scripts an admin runs or installs — install.sh, the login banner (POSIX sh), the function's staging
// script — pass ShellCheck, which finds the quoting, word-splitting and exit-status mistakes a shell runs silently.
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { unavailable } from '../../../helpers/provisioned.js';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..');
const run = promisify(execFile);

async function scripts(): Promise<string[]> {
  const found: string[] = [];
  for (const dir of ['agent/deploy', 'terraform/scripts'])
    for (const name of await readdir(join(ROOT, dir))) if (name.endsWith('.sh')) found.push(join(dir, name));
  return found.sort();
}

describe.skipIf(unavailable('shellcheck') !== undefined)('shell scripts', () => {
  it('are the ones the deployment uses', async () => {
    expect(await scripts()).toEqual([
      'agent/deploy/db-backup-login-banner.sh',
      'agent/deploy/install.sh',
      'terraform/scripts/stage-function.sh',
    ]);
  });

  it.each([
    ['agent/deploy/db-backup-login-banner.sh'],
    ['agent/deploy/install.sh'],
    ['terraform/scripts/stage-function.sh'],
  ])('%s passes ShellCheck', async (script) => {
    const result = await run('shellcheck', ['--severity=style', script], {
      cwd: ROOT,
    }).catch((error: { stdout?: string; code?: number }) => error);
    expect('code' in result ? result.stdout : '', script).toBe('');
  });
});
