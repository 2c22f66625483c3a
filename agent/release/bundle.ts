// The agent compiled into one ES module with every JavaScript dependency it imports (esbuild follows the imports
// from agent/main.ts, so nothing the functions or the CLI use comes along), and the licences of what went in.
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

/** The native CRC32C, loaded at run time with require: shipped as a package beside the bundle (stage-native.ts). */
export const NATIVE_PACKAGE = '@node-rs/crc32';

export interface Bundle {
  /** The npm packages whose code is inside the bundle, by name. */
  packages: string[];
}

/** `node_modules/a/…`, `node_modules/@s/b/…` → the package's name, for the files esbuild read. */
function packageOf(input: string): string | undefined {
  const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  return match?.[1];
}

/** Writes `<stage>/main.mjs`, the agent's entry point, from the repository at `root`. */
export async function bundleAgent(root: string, stage: string): Promise<Bundle> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['agent/main.ts'],
    outfile: join(stage, 'main.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: [NATIVE_PACKAGE],
    // CommonJS dependencies (undici) call require for Node's built-ins, which an ES module does not have.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);",
    },
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  const packages = [
    ...new Set(
      Object.keys(result.metafile.inputs)
        .map(packageOf)
        .filter((name) => name !== undefined),
    ),
  ].sort();
  return { packages };
}

/** Copies each package's licence file (LICENSE, LICENCE, COPYING, any case and extension) to `<stage>/licenses/<name>/`. */
export async function copyLicenses(root: string, stage: string, packages: readonly string[]): Promise<void> {
  for (const name of packages) {
    const from = join(root, 'node_modules', name);
    const files = (await readdir(from)).filter((file) => /^(licen[cs]e|copying)/i.test(file));
    if (files.length === 0) throw new Error(`${name} has no licence file to ship with it`);
    for (const file of files) {
      const to = join(stage, 'licenses', name, file);
      await mkdir(dirname(to), { recursive: true });
      await copyFile(join(from, file), to);
    }
  }
}
