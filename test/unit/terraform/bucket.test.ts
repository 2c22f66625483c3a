// The backup bucket: private; each backup deleted by Cloud Storage once its customTime has passed, and never
// before; alert markers and canaries on rules of their own, in folders no backup's name can begin with; versions
// and soft delete keeping what is deleted restorable.
import { beforeAll, describe, expect, it } from 'vitest';
import { parseObjectName } from '../../../core/object-name.js';
import {
  type Block,
  block,
  blocks,
  expression,
  loadModule,
  localOf,
  resource,
  type TerraformModule,
  unwrap,
} from './hcl.js';
import { hasTerraform, useConsole } from './tf-console.js';

let mod: TerraformModule;
let bucket: Block;
let rules: Block[];

beforeAll(async () => {
  mod = await loadModule();
  bucket = resource(mod, 'google_storage_bucket', 'backups');
  rules = blocks(bucket, 'lifecycle_rule').map((rule) => ({
    action: unwrap(block(rule, 'action')),
    condition: unwrap(block(rule, 'condition')),
  }));
});

describe('backup bucket', () => {
  it('is named bucket_name, the BACKUP_BUCKET the function reads', () => {
    expect(expression(bucket.name)).toBe('var.bucket_name');
    expect(
      String(
        localOf(
          mod,
          block(resource(mod, 'google_cloudfunctions2_function', 'function'), 'service_config')
            .environment_variables,
        ),
      ),
    ).toContain('BACKUP_BUCKET = google_storage_bucket.backups.name');
  });

  it('is private: uniform bucket-level access, public access prevention enforced', () => {
    expect(bucket.uniform_bucket_level_access).toBe(true);
    expect(bucket.public_access_prevention).toBe('enforced');
  });

  it('deletes a backup once the day of its customTime has come, within the backup prefix', () => {
    const retention = rules.find((rule) => (rule.condition as Block).days_since_custom_time !== undefined);
    expect(retention).toEqual({
      action: { type: 'Delete' },
      condition: {
        days_since_custom_time: 0,
        // Without it the provider drops the zero and the rule would delete everything under the prefix.
        send_days_since_custom_time_if_zero: true,
        matches_prefix: 'var.object_prefix == "" ? null : [var.object_prefix]',
      },
    });
  });

  it('has no other rule that deletes a current object, except alert markers after 30 days and canaries after 1', () => {
    const others = rules.filter((rule) => (rule.condition as Block).days_since_custom_time === undefined);
    expect(others).toEqual([
      {
        action: { type: 'Delete' },
        condition: {
          with_state: 'ARCHIVED',
          days_since_noncurrent_time: 'var.noncurrent_version_retention_days',
        },
      },
      {
        action: { type: 'Delete' },
        condition: { matches_prefix: ['local.alert_marker_prefix'], age: 30 },
      },
      {
        action: { type: 'Delete' },
        // Noncurrent canaries too: none is worth keeping.
        condition: { matches_prefix: ['local.canary_prefix'], age: 1, with_state: 'ANY' },
      },
    ]);
  });

  it('keeps versions unless a retention policy (which Cloud Storage does not combine with them) replaces them', () => {
    expect(expression(block(bucket, 'versioning').enabled)).toBe('var.retention_period_days == null');
    const policy = block(bucket.dynamic as Block, 'retention_policy');
    // Provider 7 takes the period as a string, so long periods do not overflow.
    expect(expression(block(policy, 'content').retention_period)).toBe(
      'tostring(retention_policy.value * 86400)',
    );
    expect(mod.variables.retention_policy_locked?.default).toBe(false);
  });

  it('keeps deleted objects restorable for a week by default, and survives terraform destroy', () => {
    expect(mod.variables.soft_delete_retention_days?.default).toBe(7);
    expect(mod.variables.bucket_force_destroy?.default).toBe(false);
  });
});

describe('function source bucket', () => {
  it('is private, and Cloud Storage removes old source archives from it', () => {
    const source = resource(mod, 'google_storage_bucket', 'function_source');
    expect(source.uniform_bucket_level_access).toBe(true);
    expect(source.public_access_prevention).toBe('enforced');
    const [rule] = blocks(source, 'lifecycle_rule');
    expect(unwrap(block(rule ?? {}, 'condition'))).toEqual({
      age: 'var.source_archive_retention_days',
      matches_prefix: ['function-source-'],
    });
    expect(block(rule ?? {}, 'action').type).toBe('Delete');
  });

  it('holds the staged zip under a hash of its content, which the functions build from', () => {
    const object = resource(mod, 'google_storage_bucket_object', 'function_source');
    const uploaded = expression(object.source) ?? '';
    expect(mod.variables[uploaded.replace(/^var\./, '')], `${uploaded} is an input`).toBeDefined();
    // A name by content: a new build is a new object (and a new build of the functions), an unchanged one is not.
    const [, prefix, hashed] =
      /^([\w-]+)\$\{file(?:md5|sha1|sha256|sha512)\((.+)\)\}\.zip$/.exec(String(object.name)) ?? [];
    expect(hashed, String(object.name)).toBe(uploaded);
    const [rule] = blocks(resource(mod, 'google_storage_bucket', 'function_source'), 'lifecycle_rule');
    expect(block(rule ?? {}, 'condition').matches_prefix).toEqual([prefix]);
    const fn = resource(mod, 'google_cloudfunctions2_function', 'function');
    const source = block(block(block(fn, 'build_config'), 'source'), 'storage_source');
    expect(expression(source.object)).toBe('google_storage_bucket_object.function_source.name');
  });

  it('is the only other bucket', () => {
    expect(Object.keys(mod.resources.google_storage_bucket ?? {}).sort()).toEqual([
      'backups',
      'function_source',
    ]);
  });
});

describe.skipIf(!hasTerraform)('the folders beside the backups, as Terraform names them', () => {
  const tf = useConsole();

  it.each(['', 'prod/', 'prod/nightly-'])(
    'never hold a backup of the prefix %j: the function would not read a name there as one',
    async (prefix) => {
      const inputs = { object_prefix: JSON.stringify(prefix) };
      const folders = [
        await tf().json<string>('local.alert_marker_prefix', inputs),
        await tf().json<string>('local.canary_prefix', inputs),
      ];
      expect(folders).toEqual([`${prefix}_alerts/`, `${prefix}_canary/`]);
      for (const folder of folders) {
        // What a backup of HospitalDB would be called if it were written under the folder.
        const name = `${folder}HospitalDB_20250101.sql.gz`;
        expect(parseObjectName(name, { prefix }), name).toBeNull();
        expect(parseObjectName(`${prefix}HospitalDB_20250101.sql.gz`, { prefix })).not.toBeNull();
      }
    },
  );
});
