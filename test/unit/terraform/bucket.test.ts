// The backup bucket's protections: private, versioned, soft delete, old versions cleaned up, optional retention.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Block,
  block,
  blocks,
  expression,
  loadModule,
  resource,
  type TerraformModule,
  unwrap,
} from './hcl.js';

let mod: TerraformModule;
let bucket: Block;

beforeAll(async () => {
  mod = await loadModule();
  bucket = resource(mod, 'google_storage_bucket', 'backups');
});

describe('backup bucket', () => {
  it('is private: uniform bucket-level access, public access prevention enforced', () => {
    expect(bucket.uniform_bucket_level_access).toBe(true);
    expect(bucket.public_access_prevention).toBe('enforced');
  });

  it('keeps versions, unless a retention policy (which Cloud Storage does not combine with them) replaces them', () => {
    expect(expression(block(bucket, 'versioning').enabled)).toBe('var.retention_period_days == null');
    expect(mod.variables.retention_period_days?.default).toBeNull();
  });

  it('keeps deleted objects restorable for a week by default', () => {
    expect(expression(block(bucket, 'soft_delete_policy').retention_duration_seconds)).toBe(
      'var.soft_delete_retention_days * 86400',
    );
    expect(mod.variables.soft_delete_retention_days?.default).toBe(7);
  });

  it('removes noncurrent versions after the configured number of days, and no current backup', () => {
    const rules = blocks(bucket, 'lifecycle_rule');
    expect(rules).toHaveLength(2);
    const [rule, markers] = rules;
    expect(block(rule ?? {}, 'action').type).toBe('Delete');
    expect(unwrap(block(rule ?? {}, 'condition'))).toEqual({
      with_state: 'ARCHIVED',
      days_since_noncurrent_time: 'var.noncurrent_version_retention_days',
    });
    // The second rule reaches only the alert markers: backup names never start with "_".
    expect(block(markers ?? {}, 'action').type).toBe('Delete');
    expect(unwrap(block(markers ?? {}, 'condition'))).toEqual({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an HCL interpolation, compared as written.
      matches_prefix: ['${var.object_prefix}_alerts/'],
      age: 30,
    });
  });

  it('has an optional retention policy, unlocked unless asked', () => {
    const dynamic = block(bucket.dynamic as Block, 'retention_policy');
    expect(expression(dynamic.for_each)).toBe(
      'var.retention_period_days == null ? [] : [var.retention_period_days]',
    );
    expect(expression(block(dynamic, 'content').is_locked)).toBe('var.retention_policy_locked');
    expect(mod.variables.retention_policy_locked?.default).toBe(false);
  });

  it('takes its location and storage class from variables, and survives terraform destroy by default', () => {
    expect(expression(bucket.location)).toBe('var.bucket_location');
    expect(expression(bucket.storage_class)).toBe('var.storage_class');
    expect(mod.variables.bucket_force_destroy?.default).toBe(false);
  });

  it('is the only bucket besides the private one for the function source', () => {
    expect(Object.keys(mod.resources.google_storage_bucket ?? {}).sort()).toEqual([
      'backups',
      'function_source',
    ]);
    const source = resource(mod, 'google_storage_bucket', 'function_source');
    expect(source.uniform_bucket_level_access).toBe(true);
    expect(source.public_access_prevention).toBe('enforced');
  });
});
