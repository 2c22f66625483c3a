// The functions: one per entry point from one source, configured exactly by what the function reads, on a
// supported runtime, their secrets out of Terraform's state.
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  FUNCTION_ENV,
  FUNCTION_SECRET_ENV,
  SETTINGS,
  type Setting,
} from '../../../functions/config/settings.js';
import {
  asObject,
  type Block,
  block,
  blocks,
  expression,
  loadModule,
  localOf,
  resource,
  type TerraformModule,
} from './hcl.js';
import { hasTerraform, PURE_FILES, useConsole } from './tf-console.js';

const DECLARED_ENV: readonly string[] = Object.values(FUNCTION_ENV);

/** Tuning knobs the module leaves at the function's defaults. */
const LEFT_AT_DEFAULT = [FUNCTION_ENV.pollIntervalSeconds, FUNCTION_ENV.agentTimeoutSeconds];

/**
 * Settings the function leaves unset by default that the module sets all the same, and why: Terraform's own choice,
 * with no default of the function's to agree with.
 */
const TERRAFORM_CHOOSES: Readonly<Record<string, string>> = {
  // A deployment's alerts go out by mail; the function alone, with no Gmail settings, only logs them.
  [FUNCTION_ENV.gmailAuth]: 'oauth',
};

/** Entry points the function registers (settings: backup, verify, restore, retention, list, status). */
const ENTRY_POINTS = ['backup', 'binlogs', 'doctor', 'list', 'restore', 'retention', 'status', 'verify'];

let mod: TerraformModule;
let fn: Block;
let service: Block;

beforeAll(async () => {
  mod = await loadModule();
  fn = resource(mod, 'google_cloudfunctions2_function', 'function');
  service = block(fn, 'service_config');
});

describe('environment of the functions', () => {
  const plainNames = () => {
    const env = localOf(mod, service.environment_variables);
    // merge(local.function_settings, { … }): the inputs' settings plus the names of resources.
    const [, settings, extra] = /^merge\(local\.(\w+), \{([\s\S]*)\}\)$/.exec(expression(env) ?? '') ?? [];
    expect(settings, 'function_environment merges function_settings').toBe('function_settings');
    const resourceNames = [...(extra ?? '').matchAll(/^\s*([A-Z_]+)\s*=/gm)].map((m) => m[1] ?? '');
    return [...Object.keys(asObject(mod.locals.function_settings)), ...resourceNames];
  };
  const secretNames = () => {
    const dynamic = block(asObject(service.dynamic), 'secret_environment_variables');
    expect(expression(block(dynamic, 'content').key)).toBe('secret_environment_variables.key');
    const secrets = expression(dynamic.for_each)?.match(/^google_secret_manager_secret\.(\w+)$/)?.[1];
    const secret = resource(mod, 'google_secret_manager_secret', secrets ?? '');
    return Object.keys(asObject(localOf(mod, secret.for_each)));
  };

  it('sets every setting the function declares (functions/config/settings.ts) but two tuning knobs', () => {
    const set = [...plainNames(), ...secretNames()].sort();
    expect(set).toEqual(DECLARED_ENV.filter((name) => !LEFT_AT_DEFAULT.includes(name)).sort());
    // Those two may be left out: the function has a default for each.
    for (const [, declared] of Object.entries(SETTINGS).filter(([, d]) => LEFT_AT_DEFAULT.includes(d.env))) {
      expect(declared.schema.safeParse(undefined).success, declared.env).toBe(true);
    }
  });

  it('takes exactly the secret ones from Secret Manager, and no secret as a plain variable', () => {
    expect(secretNames().sort()).toEqual([...FUNCTION_SECRET_ENV].sort());
    expect(plainNames().filter((name) => secretNames().includes(name))).toEqual([]);
  });

  it("names the scheduler's service account, whose token alone makes X-CloudScheduler headers trusted", () => {
    const env = expression(localOf(mod, service.environment_variables)) ?? '';
    expect(env).toMatch(/BACKUP_SCHEDULER_SERVICE_ACCOUNT\s*=\s*google_service_account\.scheduler\.email/);
    const job = resource(mod, 'google_cloud_scheduler_job', 'function');
    const token = block(block(job, 'http_target'), 'oidc_token');
    expect(expression(token.service_account_email)).toBe('google_service_account.scheduler.email');
  });
});

describe.skipIf(!hasTerraform)('defaults of the settings, evaluated by terraform', () => {
  const tf = useConsole();

  it("are the function's own: what the module sends by default, the function reads as its declared default", async () => {
    const sent = await tf().json<Record<string, string>>('local.function_settings');
    const expressions = asObject(mod.locals.function_settings);
    const compared: string[] = [];
    const disagreements: string[] = [];
    for (const declared of Object.values(SETTINGS) as Setting[]) {
      const input = /\bvar\.(\w+)/.exec(expression(expressions[declared.env]) ?? '')?.[1];
      const variable = input === undefined ? undefined : mod.variables[input];
      // Set from a required input, a resource's name or a secret: there is no default of the module's to compare.
      if (!variable || !('default' in variable)) continue;
      compared.push(declared.env);
      const value = sent[declared.env];
      // As the function reads its environment: an empty variable is unset.
      const read = declared.schema.parse(value === undefined || value.trim() === '' ? undefined : value);
      const own = declared.schema.parse(undefined);
      const agrees =
        own === undefined ? TERRAFORM_CHOOSES[declared.env] === value : isDeepStrictEqual(read, own);
      if (!agrees) {
        disagreements.push(
          `${declared.env}: var.${input} defaults to ${value}, the function to ${JSON.stringify(own)}`,
        );
      }
    }
    expect(disagreements).toEqual([]);
    // Every setting with a module default was looked at: the tuning ones the function declares, at least.
    expect(compared).toEqual(expect.arrayContaining([FUNCTION_ENV.pollBudgetSeconds, FUNCTION_ENV.timeZone]));
  });
});

describe('the functions', () => {
  it('are the entry points, each its own function, all with one identity', () => {
    expect(Object.keys(asObject(localOf(mod, fn.for_each))).sort()).toEqual(ENTRY_POINTS);
    expect(expression(block(fn, 'build_config').entry_point)).toBe('each.key');
    expect(expression(service.service_account_email)).toBe('google_service_account.function.email');
  });

  it('run on a supported Node.js runtime: nodejs22 by default, or nodejs24 (nodejs20 is retired)', () => {
    expect(expression(block(fn, 'build_config').runtime)).toBe('var.runtime');
    expect(mod.variables.runtime?.default).toBe('nodejs22');
    const validation = JSON.stringify(mod.variables.runtime?.validation);
    expect(validation).toContain('nodejs24');
    expect(validation).not.toContain('nodejs20');
  });

  it("are built by the module's own build account", () => {
    expect(expression(block(fn, 'build_config').service_account)).toBe('google_service_account.build.id');
    expect(mod.variables.build_service_account).toBeUndefined();
  });

  it('accept internal traffic only by default, and never all traffic', () => {
    expect(expression(service.ingress_settings)).toBe('var.ingress_settings');
    expect(mod.variables.ingress_settings?.default).toBe('ALLOW_INTERNAL_ONLY');
    expect(JSON.stringify(mod.variables.ingress_settings?.validation)).not.toContain('ALLOW_ALL');
  });
});

describe('secrets', () => {
  it('keep their values out of Terraform state: no secret version, no generated key', () => {
    expect(mod.resources.google_secret_manager_secret_version).toBeUndefined();
    expect(mod.resources.tls_private_key).toBeUndefined();
    const secret = resource(mod, 'google_secret_manager_secret', 'function');
    expect(blocks(secret, 'replication')).toHaveLength(1);
  });

  it('take only public keys as input', () => {
    expect(JSON.stringify(mod.variables.signing_public_key_pem?.validation)).toContain('BEGIN PUBLIC KEY');
    expect(JSON.stringify(mod.variables.agents?.validation)).toContain('BEGIN PUBLIC KEY');
    expect(Object.keys(mod.variables).filter((name) => /private_?key/i.test(name))).toEqual([]);
  });
});

describe('pure files', () => {
  it('declare no resource, so terraform console can evaluate them without a provider', async () => {
    const names = (await readdir(mod.dir)).filter((name) => PURE_FILES.test(name));
    expect(names.length).toBeGreaterThan(4);
    for (const name of names) {
      const own = await loadModuleFile(name);
      expect(Object.keys(own.resources), name).toEqual([]);
      expect(Object.keys(own.data), name).toEqual([]);
    }
  });
});

/** One file of the module, parsed alone. */
async function loadModuleFile(name: string): Promise<TerraformModule> {
  const dir = await mkdtemp(join(tmpdir(), 'tf-file-'));
  try {
    await copyFile(join(mod.dir, name), join(dir, name));
    return await loadModule(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
