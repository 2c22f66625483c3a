// The module checked by the real providers: `terraform init` from the mirror that provisioning built from the Go
// module proxy (its CLI config allows no other source, so no registry is reached), then `terraform validate` and
// `terraform test` (tests/*.tftest.hcl: plans and applies against mocked providers, which still read the real
// providers' schemas) on the module and on examples/basic — each in a copy, so the repository gets no .terraform
// folder or lock file.
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

describe.skipIf(unavailable('terraform') !== undefined)(
  'terraform validate and terraform test with the real providers',
  () => {
    let work: string;

    beforeAll(async () => {
      work = await mkdtemp(join(tmpdir(), 'tf-validate-'));
      await cp(MODULE, join(work, 'terraform'), {
        recursive: true,
        filter: (source) => !/[/\\](\.terraform|\.build)([/\\]|$)|\.terraform\.lock\.hcl$/.test(source),
      });
      // What the admin makes before the first init (Deploy, steps 3 and 4): the function's signing public key, the
      // agents' answer keys, and the staged zip, which validate only needs to be readable (an empty zip here).
      const example = join(work, 'terraform', 'examples', 'basic');
      for (const name of ['signing-public.pem', 'agent-mysql-public.pem', 'agent-mongodb-public.pem']) {
        const { publicKey } = generateKeyPairSync('ed25519');
        await writeFile(join(example, name), publicKey.export({ type: 'spki', format: 'pem' }).toString());
      }
      await mkdir(join(work, 'terraform', '.build'));
      await writeFile(join(work, 'terraform', '.build', 'function-source.zip'), EMPTY_ZIP);
    });
    afterAll(async () => {
      if (work) await rm(work, { recursive: true, force: true });
    });

    const initialized = new Map<string, Promise<void>>();

    /** `terraform init` in the folder once, skipping the test when the providers cannot be had here. */
    async function init(folder: string, context: { skip: (note: string) => never }): Promise<string> {
      const dir = join(work, 'terraform', folder);
      const done =
        initialized.get(folder) ??
        Promise.resolve(terraform(['init', '-backend=false', '-input=false'], dir)).then((result) => {
          if (result.code === 0) return;
          const missing = providersNotFound(result.output);
          const reason = cannotBeHad(missing);
          if (reason)
            throw new CannotBeHad(`terraform init cannot install ${missing.join(', ')} here: ${reason}`);
          const pin = `; test/provision/versions.ts (TERRAFORM_PROVIDERS) must pin ${missing.join(', ')}`;
          expect.fail(`terraform init failed${missing.length > 0 ? pin : ''}:\n${result.output}`);
        });
      initialized.set(folder, done);
      try {
        await done;
      } catch (error) {
        if (error instanceof CannotBeHad) context.skip(error.message);
        throw error;
      }
      return dir;
    }

    it.for(['.', 'examples/basic'])(
      'terraform/%s initializes from the mirror and validates',
      async (folder, context) => {
        const dir = await init(folder, context);
        const validate = terraform(['validate'], dir);
        expect(validate.output).toContain('Success! The configuration is valid.');
        expect(validate.code, validate.output).toBe(0);
      },
    );

    it.for([
      ['.', 12],
      ['examples/basic', 2],
    ] as const)(
      'terraform/%s passes its terraform test runs (%i), plans and applies with mocked providers',
      async ([folder, runs], context) => {
        const dir = await init(folder, context);
        const test = terraform(['test'], dir);
        expect(test.code, test.output).toBe(0);
        // Every run passed, none was skipped: a run that stops early skips the ones after it.
        expect(test.output).toContain(`Success! ${runs} passed, 0 failed.`);
        expect(test.output).not.toMatch(/\.\.\. skip$/m);
      },
    );
  },
);

/** terraform init could not install a provider that this machine cannot build (no Go, no proxy). */
class CannotBeHad extends Error {}
