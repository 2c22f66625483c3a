// The agent's release: one archive a database VM installs with only the Node.js runtime — the bundled agent, the
// native CRC32C for Linux x64 (glibc), the licences of what is bundled, and agent/deploy's files with install.sh —
// and its SHA-256.
import { spawnSync } from 'node:child_process';
import { cp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeArchive, writeChecksum } from './archive.js';
import { bundleAgent, copyLicenses, NATIVE_PACKAGE } from './bundle.js';
import { stageNative, TARGET_PLATFORM } from './stage-native.js';

export interface Release {
  archive: string;
  sha256: string;
  bytes: number;
  /** The npm packages inside: bundled, then shipped as they are. */
  packages: string[];
}

/** The commit the release is built from, `-dirty` when the checkout has changes; none outside a git checkout. */
function commitOf(root: string): string | undefined {
  const described = spawnSync('git', ['describe', '--always', '--dirty', '--abbrev=12'], {
    cwd: root,
    encoding: 'utf8',
  });
  return described.status === 0 ? described.stdout.trim() : undefined;
}

/** Builds `<out>/db-backup-agent-<version>-linux-x64.tar.gz` and its `.sha256` from the repository at `root`. */
export async function buildRelease(root: string, out: string): Promise<Release> {
  const project = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
  const name = `db-backup-agent-${project.version}-${TARGET_PLATFORM}`;
  const stage = join(out, name);
  await rm(stage, { recursive: true, force: true });
  await mkdir(stage, { recursive: true });
  try {
    const bundle = await bundleAgent(root, stage);
    const native = await stageNative(root, stage);
    // The binary's package holds no licence file of its own; it is the loader's project, under the same licence.
    await copyLicenses(root, stage, [...bundle.packages, NATIVE_PACKAGE]);
    // install.sh, the unit and the other files it installs, the example configurations and their README.
    await cp(join(root, 'agent', 'deploy'), stage, { recursive: true });
    const commit = commitOf(root);
    const manifest = {
      name: 'db-backup-agent',
      version: project.version,
      ...(commit && { commit }),
      description:
        'Database backup agent: streams database dumps into Cloud Storage. Install with install.sh.',
      private: true,
      engines: project.engines,
    };
    await writeFile(join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const archive = join(out, `${name}.tar.gz`);
    await writeArchive(stage, archive);
    const sha256 = await writeChecksum(archive);
    return { archive, sha256, bytes: (await stat(archive)).size, packages: [...bundle.packages, ...native] };
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}
