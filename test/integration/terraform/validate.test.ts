// The module checked by the real providers: `terraform init` from the mirror that provisioning built from the Go
// module proxy (its CLI config allows no other source, so no registry is reached), then `terraform validate` on
// the module and on examples/basic — each in a copy, so the repository gets no .terraform folder or lock file.
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { unavailable } from '../../helpers/provisioned.js';

const MODULE = join(import.meta.dirname, '..', '..', '..', 'terraform');

function terraform(args: string[], cwd: string) {
  const provision = inject('provisioned').terraform;
  const cliConfig = provision?.state === 'ready' ? (provision.paths?.cliConfig ?? '') : '';
  const result = spawnSync('terraform', [...args, '-no-color'], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, TF_CLI_CONFIG_FILE: cliConfig, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' },
  });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

/** The providers `terraform init` could not find in the mirror, by type (hashicorp/<type>). */
function providersNotFound(output: string): string[] {
  const found = output.matchAll(
    /provider registry\.terraform\.io\/hashicorp\/([a-z0-9-]+)\s+was\s+not\s+found/g,
  );
  return [...new Set([...found].map((match) => match[1] ?? ''))];
}

describe.skipIf(unavailable('terraform') !== undefined)('terraform validate with the real providers', () => {
  let work: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'tf-validate-'));
    await cp(MODULE, join(work, 'terraform'), {
      recursive: true,
      filter: (source) => !/[/\\](\.terraform|\.build)([/\\]|$)|\.terraform\.lock\.hcl$/.test(source),
    });
    // The example reads the function's signing public key from a file the admin makes first (Deploy, step 1).
    const { publicKey } = generateKeyPairSync('ed25519');
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    await writeFile(join(work, 'terraform', 'examples', 'basic', 'signing-public.pem'), pem);
  });
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it.for(['.', 'examples/basic'])(
    'terraform/%s initializes from the mirror and validates',
    (folder, context) => {
      const dir = join(work, 'terraform', folder);
      const init = terraform(['init', '-backend=false', '-input=false'], dir);
      if (init.code !== 0) {
        // A provider no registry reached here serves is reported by provisioning; any other failure is the test's.
        const missing = providersNotFound(init.output);
        const reasons = missing.map((type) => unavailable(`provider:${type}`));
        if (missing.length > 0 && reasons.every((reason) => reason !== undefined))
          context.skip(`terraform init cannot install ${missing.join(', ')}: ${reasons.join('; ')}`);
        expect.fail(`terraform init failed:\n${init.output}`);
      }
      const validate = terraform(['validate'], dir);
      expect(validate.output).toContain('Success! The configuration is valid.');
      expect(validate.code, validate.output).toBe(0);
    },
  );
});
