// The pure parts of provisioning: GNU time's figures and their sums, the terraform CLI config, the summary lines, and which
// failures fail the run (this machine could have provided it) and which only say why a test cannot run.
import { describe, expect, it } from 'vitest';
import { summary } from '../../provision/global-setup.js';
import { parseCpuSeconds, parsePeakMiB, tally } from '../../provision/measure.js';
import { NPM_INSTALL_ARGS, npmEnv, npmManifest, npmToolDir } from '../../provision/npm-tools.js';
import { failure } from '../../provision/outcome.js';
import { cliConfig, mirrorFolder } from '../../provision/terraform-mirror.js';
import { MONGOSH, TERRAFORM_PROVIDERS } from '../../provision/versions.js';

describe('provisioning', () => {
  it('reads the peak memory from GNU time -v', () => {
    const report =
      '\tElapsed (wall clock) time (h:mm:ss or m:ss): 11:31.86\n\tMaximum resident set size (kbytes): 1890432\n';
    expect(parsePeakMiB(report)).toBe(1846);
    expect(parsePeakMiB('Command terminated by signal 9')).toBeUndefined();
    expect(parseCpuSeconds('\tUser time (seconds): 358.32\n\tSystem time (seconds): 60.98\n')).toBe(419);
  });

  it('adds up the commands of one step: wall and CPU time summed, the highest peak', () => {
    const figures = tally();
    figures.add({ ok: true, seconds: 1.2, cpuSeconds: 2, peakMiB: 100, tail: '' });
    figures.add({ ok: true, seconds: 2.1, tail: '' });
    const last = figures.add({ ok: false, seconds: 0.1, cpuSeconds: 1, peakMiB: 90, tail: 'error' });
    expect(last.tail).toBe('error');
    expect(figures.figures()).toEqual({ seconds: 3.4, cpuSeconds: 3, peakMiB: 100 });
  });

  it('writes a CLI config whose only installation method is the mirror', () => {
    const config = cliConfig('/cache/terraform/mirror');
    expect(config).toContain('filesystem_mirror {\n    path    = "/cache/terraform/mirror"');
    expect(config).not.toMatch(/direct|network_mirror/);
  });

  it('keeps one mirror per set of pinned providers, so checkouts pinning others never prune each other', () => {
    const pinned = mirrorFolder('/cache');
    expect(pinned).toMatch(/^\/cache\/terraform\/mirror-[0-9a-f]{12}$/);
    expect(mirrorFolder('/cache', [...TERRAFORM_PROVIDERS])).toBe(pinned);
    expect(mirrorFolder('/cache', TERRAFORM_PROVIDERS.slice(0, 1))).not.toBe(pinned);
    const [google] = TERRAFORM_PROVIDERS;
    if (!google) throw new Error('no provider pinned');
    expect(mirrorFolder('/cache', [{ ...google, version: '0.0.1' }])).not.toBe(
      mirrorFolder('/cache', [google]),
    );
  });

  it('prints cached entries on one line and each thing it could not provide with the command that would', () => {
    const lines = summary('/cache', {
      'debian:zstd': { state: 'ready', detail: 'installed' },
      ferretdb: { state: 'ready', detail: 'v1.24.2', built: { seconds: 61, cpuSeconds: 98, peakMiB: 628 } },
      'debian:mariadb-server': {
        state: 'unavailable',
        reason: 'not root',
        command: 'sudo apt-get install x',
      },
      'debian:postgresql': { state: 'unavailable', reason: 'not root', command: 'sudo apt-get install x' },
      'mongo-tools': { state: 'failed', reason: 'go build failed' },
    });
    expect(lines).toEqual([
      'provision: ready in /cache: debian:zstd',
      'provision: ferretdb: v1.24.2 (built in 61 s, 98 s of CPU, peak 628 MiB)',
      'provision: NOT PROVISIONED debian:mariadb-server, debian:postgresql: not root; to provide it run: sudo apt-get install x',
      'provision: FAILED mongo-tools: go build failed',
    ]);
  });

  it('fails the run on a build error, but not when the registry cannot be reached', () => {
    expect(failure('go build failed', 'compile error', 'go install m@v').state).toBe('failed');
    const offline = failure(
      'go mod download failed',
      'dial tcp: lookup proxy.golang.org: no such host',
      'go install m@v',
    );
    expect(offline).toMatchObject({ state: 'unavailable', command: 'go install m@v' });
    const npmOffline = failure(
      'npm install failed',
      'npm error code ENOTFOUND\nnpm error network request to https://registry.npmjs.org/mongosh failed',
      'npm test again',
    );
    expect(npmOffline.state).toBe('unavailable');
    expect(failure('npm install failed', 'npm error code E404', 'npm test again').state).toBe('failed');
  });

  it('installs an npm tool into the cache, never into the project that runs `npm test`', () => {
    expect(npmToolDir('/cache', MONGOSH)).toBe('/cache/npm-tools/mongosh@2.12.0');
    expect(JSON.parse(npmManifest(MONGOSH))).toMatchObject({
      private: true,
      dependencies: { mongosh: '2.12.0' },
    });
    // An outer `npm test` hands its own prefix and package to its children.
    const env = npmEnv({
      PATH: '/usr/bin',
      npm_config_local_prefix: '/work/project',
      npm_package_json: '/work/project/package.json',
      NPM_CONFIG_PREFIX: '/work/project',
    });
    expect(env).toEqual({ PATH: '/usr/bin' });
    expect(NPM_INSTALL_ARGS).toContain('--ignore-scripts');
    expect(NPM_INSTALL_ARGS.some((arg) => arg.startsWith('--save') || arg === '-g')).toBe(false);
  });
});
