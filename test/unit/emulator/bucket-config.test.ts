// Lifecycle rules and retention policies as a bucket resource carries them, and the retention check.
import { describe, expect, it } from 'vitest';
import { readLifecycle, readRetentionPeriod } from '../../../emulator/lifecycle/config.js';
import type { BucketRecord, ObjectRecord } from '../../../emulator/model.js';
import { checkRetention, retainedUntil } from '../../../emulator/retention.js';

describe('readLifecycle', () => {
  it('reads rules, and an empty or null configuration as none', () => {
    const rule = {
      action: { type: 'Delete' },
      condition: { daysSinceCustomTime: 0, matchesPrefix: ['db/'] },
    };
    expect(readLifecycle({ lifecycle: { rule: [rule] } })).toEqual([rule]);
    expect(readLifecycle({ lifecycle: null })).toEqual([]);
    expect(readLifecycle({ lifecycle: {} })).toEqual([]);
    expect(readLifecycle({})).toBeUndefined();
  });

  it.each([
    [{ action: { type: 'Delete' }, condition: {} }, 'at least one condition'],
    [{ action: { type: 'Delete' }, condition: { matchesPattern: 'x' } }, 'matchesPattern'],
    [{ action: { type: 'Delete' }, condition: { createdBefore: '2030-01-01T00:00:00Z' } }, 'YYYY-MM-DD'],
    [{ action: { type: 'Delete' }, condition: { age: -1 } }, 'condition.age'],
    [{ action: { type: 'SetStorageClass' }, condition: { age: 1 } }, 'storageClass'],
    [{ action: { type: 'AbortIncompleteMultipartUpload' }, condition: { age: 1 } }, 'action'],
  ])('refuses %j with 400 naming what is wrong', (rule, named) => {
    expect(() => readLifecycle({ lifecycle: { rule: [rule] } })).toThrow(
      expect.objectContaining({ status: 400, message: expect.stringContaining(named) }),
    );
  });
});

describe('readRetentionPeriod', () => {
  it('reads seconds given as a number or an int64 string, and null as removal', () => {
    expect(readRetentionPeriod({ retentionPolicy: { retentionPeriod: '86400' } })).toBe(86400);
    expect(readRetentionPeriod({ retentionPolicy: { retentionPeriod: 60 } })).toBe(60);
    expect(readRetentionPeriod({ retentionPolicy: null })).toBeNull();
    expect(readRetentionPeriod({})).toBeUndefined();
    expect(() => readRetentionPeriod({ retentionPolicy: { retentionPeriod: 0 } })).toThrow(
      expect.objectContaining({ status: 400, message: expect.stringContaining('retentionPeriod') }),
    );
  });
});

describe('checkRetention', () => {
  const bucket: BucketRecord = {
    name: 'b',
    versioning: false,
    metageneration: 1,
    timeCreated: '',
    updated: '',
    retentionPolicy: { retentionPeriod: 3600, effectiveTime: '' },
  };
  const object = { bucket: 'b', name: 'o', timeCreated: '2030-01-01T00:00:00.000Z' } as ObjectRecord;

  it('refuses with 403 retentionPolicyNotMet until the period has passed', () => {
    expect(retainedUntil(bucket, object)?.toISOString()).toBe('2030-01-01T01:00:00.000Z');
    expect(() => checkRetention(bucket, object, new Date('2030-01-01T00:59:59Z'))).toThrow(
      expect.objectContaining({
        status: 403,
        reason: 'retentionPolicyNotMet',
        message:
          "Object 'b/o' is subject to bucket's retention policy or object retention and cannot be deleted or overwritten until 2030-01-01T01:00:00.000Z",
      }),
    );
    expect(() => checkRetention(bucket, object, new Date('2030-01-01T01:00:00Z'))).not.toThrow();
    expect(() =>
      checkRetention({ ...bucket, retentionPolicy: undefined }, object, new Date(0)),
    ).not.toThrow();
  });
});
