// The Go that builds the tools: the one on PATH when it is 1.21 or later, which fetches whatever Go release a module
// asks for from the module proxy; else one such release fetched from the proxy (the module golang.org/toolchain)
// by the older Go, which as root on Debian is Debian's golang-go (Go 1.19 on Debian 12) where there is none.
import { spawnSync } from 'node:child_process';
import { chmod, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { cannotInstall } from './debian.js';
import { type Figures, runMeasured, tally } from './measure.js';
import { onPath } from './on-path.js';
import { failure, type Provision } from './outcome.js';
import { GO_RELEASE } from './versions.js';

function versionOf(go: string): string {
  const env = { ...process.env, GOTOOLCHAIN: 'local' };
  return spawnSync(go, ['version'], { encoding: 'utf8', env }).stdout?.trim() ?? '';
}

/** Go 1.21 and later switch to the release a module's go.mod or GOTOOLCHAIN names, fetching it from the proxy. */
function switchesToolchains(go: string): boolean {
  const [, major = 0, minor = 0] = (/go(\d+)\.(\d+)/.exec(versionOf(go)) ?? []).map(Number);
  return major > 1 || (major === 1 && minor >= 21);
}

function ready(go: string, how: string, built?: Figures): Provision {
  return {
    state: 'ready',
    detail: `${versionOf(go)} (${go}${how})`,
    paths: { go },
    ...(built ? { built } : {}),
  };
}

export async function provisionGo(root: string, logs: string): Promise<Provision> {
  const installed = onPath('go');
  if (installed && switchesToolchains(installed)) return ready(installed, '');
  const blocked = installed ? undefined : cannotInstall(['golang-go']);
  if (blocked)
    return {
      state: 'unavailable',
      reason: `no Go (\`go\` is not on PATH): ${blocked.reason}`,
      command: blocked.command,
    };

  const log = join(logs, 'go.log');
  const figures = tally();
  const failed = (what: string, tail: string) =>
    failure(`${what} (log: ${log})`, tail, 'install Go 1.21 or later, then npm test again');
  let go = installed;
  if (!go) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'golang-go']]) {
      const result = figures.add(await runMeasured('apt-get', args, { env, log }));
      if (!result.ok) return failed(`apt-get ${args[0]} failed`, result.tail);
    }
    go = onPath('go');
    if (!go) return failed("Debian's golang-go put no `go` on PATH", '');
    if (switchesToolchains(go)) return ready(go, ', installed now with apt-get', figures.figures());
  }

  const arch = process.arch === 'arm64' ? 'arm64' : 'amd64';
  const module = `golang.org/toolchain@v0.0.1-${GO_RELEASE}.linux-${arch}`;
  const env = {
    ...process.env,
    GOPATH: join(root, 'go'),
    GOMODCACHE: join(root, 'go', 'pkg', 'mod'),
    GOFLAGS: '-modcacherw',
    GOTOOLCHAIN: 'local',
  };
  const downloaded = figures.add(await runMeasured(go, ['mod', 'download', module], { env, log }));
  if (!downloaded.ok) return failed(`go mod download ${module} failed`, downloaded.tail);
  const info = spawnSync(go, ['mod', 'download', '-json', module], { env, encoding: 'utf8' }).stdout;
  const release = (JSON.parse(info) as { Dir: string }).Dir;
  // A module zip keeps no file modes: the commands are made executable, as Go's own toolchain switch does.
  for (const folder of [join(release, 'bin'), join(release, 'pkg', 'tool', `linux_${arch}`)])
    for (const name of await readdir(folder)) await chmod(join(folder, name), 0o755);
  return ready(
    join(release, 'bin', 'go'),
    `, fetched from the module proxy by ${versionOf(go)}`,
    figures.figures(),
  );
}
