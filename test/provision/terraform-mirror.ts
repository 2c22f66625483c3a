// Terraform — the one installed, or else built from the Go module proxy — and its providers built from the proxy,
// laid out as a filesystem mirror with a CLI config that makes `terraform init` install from that mirror alone, so
// it never reaches a registry.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { copyFile, link, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type GoEnvironment, provisionGoTool } from './go-tools.js';
import { onPath } from './on-path.js';
import type { Manifest, Provision } from './outcome.js';
import { TERRAFORM, TERRAFORM_PROVIDERS, type TerraformProvider } from './versions.js';

const REGISTRY = 'registry.terraform.io';

/** The oldest Terraform the module accepts (its required_version, ">= major.minor"); an older one is not used. */
function requiredVersion(): [number, number] {
  const versions = join(import.meta.dirname, '..', '..', 'terraform', 'versions.tf');
  const match = /required_version\s*=\s*">=\s*(\d+)\.(\d+)/.exec(readFileSync(versions, 'utf8'));
  if (!match) throw new Error(`${versions} has no required_version of the form ">= major.minor"`);
  return [Number(match[1]), Number(match[2])];
}

/** A terraform binary's version line, when it runs and is at least the module's required_version. */
function usableVersion(binary: string): string | undefined {
  const probe = spawnSync(binary, ['version'], {
    encoding: 'utf8',
    env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: '/dev/null' },
  });
  const line = probe.status === 0 ? probe.stdout.split('\n')[0] : undefined;
  const [, major = 0, minor = 0] = (/v(\d+)\.(\d+)\./.exec(line ?? '') ?? []).map(Number);
  const [wantedMajor, wantedMinor] = requiredVersion();
  return major > wantedMajor || (major === wantedMajor && minor >= wantedMinor) ? line : undefined;
}

/** The installed terraform when it is new enough, else the one built from the pinned release. */
async function provisionBinary(environment: GoEnvironment): Promise<Provision> {
  const installed = onPath('terraform');
  const version = installed && usableVersion(installed);
  if (installed && version)
    return { state: 'ready', detail: `${version} (${installed})`, paths: { terraform: installed } };
  const built = await provisionGoTool(environment, TERRAFORM);
  if (built.state !== 'ready') return built;
  const binary = built.paths?.terraform ?? '';
  const why = installed ? `${installed} is older than ${requiredVersion().join('.')}` : 'none installed';
  return { ...built, detail: `${usableVersion(binary) ?? 'not runnable'} (${binary}; ${why})` };
}

/** The unpacked layout: <mirror>/<host>/<namespace>/<type>/<version>/<os_arch>/terraform-provider-<type>_v<version>. */
async function placeInMirror(mirror: string, provider: TerraformProvider, binary: string): Promise<string> {
  const dir = join(mirror, REGISTRY, 'hashicorp', provider.type, provider.version, 'linux_amd64');
  const target = join(dir, `terraform-provider-${provider.type}_v${provider.version}`);
  const [built, placed] = await Promise.all([stat(binary), stat(target).catch(() => undefined)]);
  // Left alone when already there: another checkout's tests may be running terraform init from this mirror.
  if (placed?.ino === built.ino && placed.dev === built.dev) return target;
  await mkdir(dir, { recursive: true });
  // A hard link shares the built file (the google provider is over 100 MiB), a copy where links cannot be made;
  // either is renamed into place whole.
  await rm(`${target}.new`, { force: true });
  await link(binary, `${target}.new`).catch(() => copyFile(binary, `${target}.new`));
  await rename(`${target}.new`, target);
  return target;
}

/**
 * The mirror's folder, one per set of pinned providers: a checkout pinning other providers (another branch, an
 * older commit) provisions a mirror of its own beside this one, so neither finds providers it does not pin, nor
 * loses one it does while the other provisions. Unchanged providers are hard links, so each set costs little.
 */
export function mirrorFolder(root: string, providers: TerraformProvider[] = TERRAFORM_PROVIDERS): string {
  const pins = providers.map(({ type, version }) => `${type}@${version}`).join(',');
  return join(root, 'terraform', `mirror-${createHash('sha256').update(pins).digest('hex').slice(0, 12)}`);
}

export function cliConfig(mirror: string): string {
  return [
    '# Written by the tests: providers come from this mirror only; no other installation method, so no registry.',
    'provider_installation {',
    '  filesystem_mirror {',
    `    path    = ${JSON.stringify(mirror)}`,
    `    include = ["${REGISTRY}/hashicorp/*"]`,
    '  }',
    '}',
    '',
  ].join('\n');
}

export async function provisionTerraform(environment: GoEnvironment): Promise<Manifest> {
  const mirror = mirrorFolder(environment.root);
  const configFile = `${mirror}.tfrc`;
  const binary = await provisionBinary(environment);
  if (binary.state !== 'ready') {
    // Without terraform, nothing would use the providers: their builds (the google one takes minutes) wait.
    const reason = `no terraform to use it (${binary.state === 'unavailable' ? binary.reason : 'its build failed'})`;
    const unused: Provision = {
      state: 'unavailable',
      reason,
      command: 'npm test, once terraform is provisioned',
    };
    return {
      terraform: binary,
      ...Object.fromEntries(TERRAFORM_PROVIDERS.map(({ type }) => [`provider:${type}`, unused])),
    };
  }
  await mkdir(mirror, { recursive: true });
  await writeFile(configFile, cliConfig(mirror));
  const manifest: Manifest = {
    terraform: { ...binary, paths: { ...binary.paths, cliConfig: configFile, mirror } },
  };
  for (const provider of TERRAFORM_PROVIDERS) {
    const name = `provider:${provider.type}`;
    const built: Provision = await provisionGoTool(environment, provider.tool);
    if (built.state !== 'ready') {
      manifest[name] = built;
      continue;
    }
    const binaryPath = built.paths?.[`terraform-provider-${provider.type}`] ?? '';
    const placed = await placeInMirror(mirror, provider, binaryPath);
    manifest[name] = { ...built, detail: `hashicorp/${provider.type} ${provider.version} in ${placed}` };
  }
  return manifest;
}
