// The Debian packages the tests use: checked with dpkg, installed with apt-get when running as root.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runMeasured, tally } from './measure.js';
import { failure, type Manifest } from './outcome.js';

/**
 * Database servers and their dump tools, the compressors, age (which encrypts backups), logger (util-linux), ps/pgrep (procps), rsyslog,
 * logrotate and ShellCheck (to check the agent's deployment files and scripts), Python 3 (which zips the
 * function's source), and GNU time, which measures the builds.
 */
const DEBIAN_PACKAGES = [
  'mariadb-server',
  'mariadb-client',
  'postgresql',
  'postgresql-client',
  'sqlite3',
  'zstd',
  'pigz',
  'pv',
  'age',
  'util-linux',
  'procps',
  'rsyslog',
  'logrotate',
  'shellcheck',
  'python3',
  'time',
];

const installCommand = (packages: string[]) =>
  `apt-get install -y --no-install-recommends ${packages.join(' ')}`;

function installedPackages(): Set<string> {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own field syntax, not a template
  const format = '-f=${Package} ${db:Status-Status}\\n';
  const query = spawnSync('dpkg-query', ['-W', format, ...DEBIAN_PACKAGES], {
    encoding: 'utf8',
  });
  const lines = (query.stdout ?? '').split('\n').map((line) => line.split(' '));
  return new Set(lines.filter(([, status]) => status === 'installed').map(([name]) => name ?? ''));
}

/** Why apt-get cannot install here, or undefined when it can. */
export function cannotInstall(packages = DEBIAN_PACKAGES): { reason: string; command: string } | undefined {
  if (!existsSync('/usr/bin/apt-get') || !existsSync('/etc/debian_version'))
    return { reason: 'not a Debian system', command: `the equivalent of \`${installCommand(packages)}\`` };
  if (process.getuid?.() !== 0)
    return { reason: 'not root', command: `sudo apt-get update && sudo ${installCommand(packages)}` };
  return undefined;
}

export async function provisionDebian(logs: string): Promise<Manifest> {
  let present = installedPackages();
  const missing = DEBIAN_PACKAGES.filter((name) => !present.has(name));
  const entries = (state: (name: string) => Manifest[string]): Manifest =>
    Object.fromEntries(DEBIAN_PACKAGES.map((name) => [`debian:${name}`, state(name)]));
  if (missing.length === 0) return entries(() => ({ state: 'ready', detail: 'installed' }));

  const blocked = cannotInstall();
  if (blocked)
    return entries((name) =>
      present.has(name) ? { state: 'ready', detail: 'installed' } : { state: 'unavailable', ...blocked },
    );

  const log = join(logs, 'debian.log');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const figures = tally();
  const update = figures.add(await runMeasured('apt-get', ['update'], { env, log }));
  const install = update.ok
    ? figures.add(
        await runMeasured('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env, log }),
      )
    : update;
  present = installedPackages();
  const built = figures.figures();
  return entries((name) => {
    if (!missing.includes(name)) return { state: 'ready', detail: 'installed' };
    if (present.has(name)) return { state: 'ready', detail: 'installed now with apt-get', built };
    return failure(
      `apt-get could not install it (log: ${log})`,
      install.tail,
      `apt-get update && ${installCommand(DEBIAN_PACKAGES)}`,
    );
  });
}
