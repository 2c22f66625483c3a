// The functions: built from the staged source, configured exactly by FUNCTION_ENV, internal, inside the VPC.
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_ENV, FUNCTION_SECRET_ENV, SETTINGS } from '../../../functions/config/settings.js';
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

const DECLARED_ENV: readonly string[] = Object.values(FUNCTION_ENV);
/** What the function cannot start without: the settings with neither a default nor `.optional()`. */
const REQUIRED_ENV: readonly string[] = Object.values(SETTINGS)
  .filter((declared) => !declared.schema.safeParse(undefined).success)
  .map((declared) => declared.env);

let mod: TerraformModule;
let fn: Block;
let service: Block;

beforeAll(async () => {
  mod = await loadModule();
  fn = resource(mod, 'google_cloudfunctions2_function', 'function');
  service = block(fn, 'service_config');
});

describe('environment of the functions', () => {
  const plainNames = () => Object.keys(asObject(localOf(mod, service.environment_variables)));
  const secretNames = () => {
    const dynamic = block(asObject(service.dynamic), 'secret_environment_variables');
    expect(expression(block(dynamic, 'content').key)).toBe('secret_environment_variables.key');
    const secrets = expression(dynamic.for_each)?.match(/^google_secret_manager_secret\.(\w+)$/)?.[1];
    const secret = resource(mod, 'google_secret_manager_secret', secrets ?? '');
    return Object.keys(asObject(localOf(mod, secret.for_each)));
  };

  it('sets every variable the function requires, and only variables it declares (functions/config/settings.ts)', () => {
    const set = [...plainNames(), ...secretNames()];
    expect(set.filter((name) => !DECLARED_ENV.includes(name))).toEqual([]);
    expect(REQUIRED_ENV.filter((name) => !set.includes(name))).toEqual([]);
  });

  it('takes exactly the secret ones from Secret Manager, and no secret as a plain variable', () => {
    expect(secretNames().sort()).toEqual([...FUNCTION_SECRET_ENV].sort());
    expect(plainNames().filter((name) => secretNames().includes(name))).toEqual([]);
  });

  it('passes the targets as JSON from a typed variable, and the project from project_id', () => {
    const env = asObject(localOf(mod, service.environment_variables));
    expect(expression(env[FUNCTION_ENV.targets])).toBe('jsonencode(local.targets)');
    expect(expression(mod.variables.targets?.type)).toMatch(/^list\(object\(/);
    expect(expression(env[FUNCTION_ENV.project])).toBe('var.project_id');
  });

  it('dates object names in the schedule time zone unless told otherwise', () => {
    const env = asObject(localOf(mod, service.environment_variables));
    expect(expression(env[FUNCTION_ENV.timeZone])).toBe(
      'coalesce(var.object_time_zone, var.schedule_time_zone)',
    );
    expect(mod.variables.schedule_time_zone?.default).toBe('Europe/Lisbon');
  });
});

describe('the functions', () => {
  it('are backup and verify, each its own entry point', () => {
    expect(Object.keys(asObject(localOf(mod, fn.for_each))).sort()).toEqual(['backup', 'verify']);
    expect(expression(block(fn, 'build_config').entry_point)).toBe('each.key');
  });

  it('run on Node 20 by default, or Node 22', () => {
    expect(expression(block(fn, 'build_config').runtime)).toBe('var.runtime');
    expect(mod.variables.runtime?.default).toBe('nodejs20');
    expect(JSON.stringify(mod.variables.runtime?.validation)).toContain('nodejs22');
  });

  it('are built from the zipped, staged source without running the build script again', () => {
    const build = block(fn, 'build_config');
    const source = block(block(build, 'source'), 'storage_source');
    expect(expression(source.object)).toBe('google_storage_bucket_object.function_source.name');
    expect(asObject(build.environment_variables).GOOGLE_NODE_RUN_SCRIPTS).toBe('');
    const object = resource(mod, 'google_storage_bucket_object', 'function_source');
    expect(expression(object.source)).toBe('data.archive_file.function_source.output_path');
    // Named by content hash, so every new build redeploys the functions.
    expect(object.name).toContain('data.archive_file.function_source.output_md5');
    const archive = mod.data.archive_file?.function_source;
    expect(expression(archive?.source_dir)).toBe('var.function_source_dir');
    expect(archive?.type).toBe('zip');
  });

  it('accept internal traffic only by default, and never all traffic', () => {
    expect(expression(service.ingress_settings)).toBe('var.ingress_settings');
    expect(mod.variables.ingress_settings?.default).toBe('ALLOW_INTERNAL_ONLY');
    expect(JSON.stringify(mod.variables.ingress_settings?.validation)).not.toContain('ALLOW_ALL');
  });

  it('reach private addresses through the VPC connector, and only those', () => {
    expect(expression(service.vpc_connector)).toBe('google_vpc_access_connector.function.id');
    expect(service.vpc_connector_egress_settings).toBe('PRIVATE_RANGES_ONLY');
  });

  it('run as their own service account, within the scheduler deadline', () => {
    expect(expression(service.service_account_email)).toBe('google_service_account.function.email');
    expect(service.timeout_seconds).toBeLessThanOrEqual(1800);
    expect(mod.variables.poll_budget_seconds?.default).toBe(1500);
  });
});

describe('secrets', () => {
  it('keep their values out of Terraform state: no secret version, no generated key', () => {
    expect(mod.resources.google_secret_manager_secret_version).toBeUndefined();
    expect(mod.resources.tls_private_key).toBeUndefined();
    const secret = resource(mod, 'google_secret_manager_secret', 'function');
    expect(blocks(secret, 'replication')).toHaveLength(1);
  });

  it('take only a public key as input', () => {
    const validation = JSON.stringify(mod.variables.signing_public_key_pem?.validation);
    expect(validation).toContain('BEGIN PUBLIC KEY');
    expect(Object.keys(mod.variables).filter((name) => /private/i.test(name))).toEqual([]);
  });
});
