// The module checked by the real providers: `terraform init` from the mirror that provisioning built from the Go
// module proxy (its CLI config allows no other source, so no registry is reached), then `terraform validate` on
// the module and on examples/basic — each in a copy, so the repository gets no .terraform folder or lock file.
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EMPTY_ZIP } from '../../helpers/empty-zip.js';
import { provisionedPath, unavailable } from '../../helpers/provisioned.js';

const MODULE = join(import.meta.dirname, '..', '..', '..', 'terraform');

function terraform(args: string[], cwd: string) {
  const result = spawnSync(provisionedPath('terraform', 'terraform'), [...args, '-no-color'], {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      TF_CLI_CONFIG_FILE: provisionedPath('terraform', 'cliConfig'),
      TF_IN_AUTOMATION: '1',
      CHECKPOINT_DISABLE: '1',
    },
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

/**
 * Why the missing providers cannot be had here, when none of them could: each was provisioned and found
 * unavailable (e.g. no Go). A provider that test/provision/versions.ts does not pin, or whose build failed, is
 * the test's failure, not a reason.
 */
function cannotBeHad(missing: string[]): string | undefined {
  const provisions = missing.map((type) => [type, inject('provisioned')[`provider:${type}`]] as const);
  const reasons = provisions.map(([type, provision]) =>
    provision?.state === 'unavailable' ? `${type}: ${provision.reason}` : undefined,
  );
  return missing.length > 0 && reasons.every((reason) => reason !== undefined)
    ? reasons.join('; ')
    : undefined;
}

describe.skipIf(unavailable('terraform') !== undefined)('terraform validate with the real providers', () => {
  let work: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'tf-validate-'));
    await cp(MODULE, join(work, 'terraform'), {
      recursive: true,
      filter: (source) => !/[/\\](\.terraform|\.build)([/\\]|$)|\.terraform\.lock\.hcl$/.test(source),
    });
    // What the admin makes before the first init (Deploy, steps 2 and 3): the function's signing public key, the
    // agent's answer key, and the staged zip, which validate only needs to be readable (an empty zip here).
    const example = join(work, 'terraform', 'examples', 'basic');
    for (const name of ['signing-public.pem', 'agent-public.pem']) {
      const { publicKey } = generateKeyPairSync('ed25519');
      await writeFile(join(example, name), publicKey.export({ type: 'spki', format: 'pem' }).toString());
    }
    await mkdir(join(work, 'terraform', '.build'));
    await writeFile(join(work, 'terraform', '.build', 'function-source.zip'), EMPTY_ZIP);
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
        const missing = providersNotFound(init.output);
        const reason = cannotBeHad(missing);
        if (reason) context.skip(`terraform init cannot install ${missing.join(', ')} here: ${reason}`);
        const pin = `; test/provision/versions.ts (TERRAFORM_PROVIDERS) must pin ${missing.join(', ')}`;
        expect.fail(`terraform init failed${missing.length > 0 ? pin : ''}:\n${init.output}`);
      }
      const validate = terraform(['validate'], dir);
      expect(validate.output).toContain('Success! The configuration is valid.');
      expect(validate.code, validate.output).toBe(0);
    },
  );
});
