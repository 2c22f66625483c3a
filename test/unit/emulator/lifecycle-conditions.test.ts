// Lifecycle conditions: each one alone, whole days, dates at midnight UTC, and a rule as an AND of them all.
import { describe, expect, it } from 'vitest';
import { type Candidate, conditionsHold } from '../../../emulator/lifecycle/conditions.js';
import type { ObjectRecord } from '../../../emulator/model.js';

function candidate(fields: Partial<ObjectRecord> = {}, live = true, newerVersions = 0): Candidate {
  const object: ObjectRecord = {
    bucket: 'b',
    name: 'backups/db_20300101.sql.gz',
    generation: 1,
    metageneration: 1,
    size: 1,
    crc32c: '',
    md5Hash: '',
    blob: 'x',
    timeCreated: '2030-01-01T10:00:00.000Z',
    updated: '2030-01-01T10:00:00.000Z',
    ...fields,
  };
  return { object, live, newerVersions };
}

const at = (time: string) => new Date(time);

describe('conditionsHold', () => {
  it('counts age in whole days from creation', () => {
    expect(conditionsHold({ age: 10 }, candidate(), at('2030-01-11T09:59:59Z'))).toBe(false);
    expect(conditionsHold({ age: 10 }, candidate(), at('2030-01-11T10:00:00Z'))).toBe(true);
    expect(conditionsHold({ age: 0 }, candidate(), at('2030-01-01T10:00:00Z'))).toBe(true);
  });

  it('counts days since customTime only for objects that have one', () => {
    const timed = candidate({ customTime: '2030-01-08T00:00:00.000Z' });
    expect(conditionsHold({ daysSinceCustomTime: 0 }, timed, at('2030-01-07T23:59:59Z'))).toBe(false);
    expect(conditionsHold({ daysSinceCustomTime: 0 }, timed, at('2030-01-08T00:00:00Z'))).toBe(true);
    expect(conditionsHold({ daysSinceCustomTime: 2 }, timed, at('2030-01-09T23:00:00Z'))).toBe(false);
    expect(conditionsHold({ daysSinceCustomTime: 0 }, candidate(), at('2040-01-01T00:00:00Z'))).toBe(false);
    expect(conditionsHold({ customTimeBefore: '2030-01-09' }, timed, at('2030-01-01T00:00:00Z'))).toBe(true);
    expect(conditionsHold({ customTimeBefore: '2030-01-08' }, timed, at('2030-01-01T00:00:00Z'))).toBe(false);
  });

  it('reads dates as midnight UTC', () => {
    expect(conditionsHold({ createdBefore: '2030-01-01' }, candidate(), at('2031-01-01T00:00:00Z'))).toBe(
      false,
    );
    expect(conditionsHold({ createdBefore: '2030-01-02' }, candidate(), at('2031-01-01T00:00:00Z'))).toBe(
      true,
    );
  });

  it('applies noncurrent conditions to noncurrent versions only', () => {
    const noncurrent = candidate({ timeDeleted: '2030-02-01T00:00:00.000Z' }, false, 2);
    const now = at('2030-02-04T00:00:00Z');
    expect(conditionsHold({ daysSinceNoncurrentTime: 3 }, noncurrent, now)).toBe(true);
    expect(conditionsHold({ daysSinceNoncurrentTime: 4 }, noncurrent, now)).toBe(false);
    expect(conditionsHold({ noncurrentTimeBefore: '2030-02-02' }, noncurrent, now)).toBe(true);
    expect(conditionsHold({ daysSinceNoncurrentTime: 0 }, candidate(), now)).toBe(false);
    expect(conditionsHold({ isLive: false }, noncurrent, now)).toBe(true);
    expect(conditionsHold({ isLive: false }, candidate(), now)).toBe(false);
    expect(conditionsHold({ numNewerVersions: 2 }, noncurrent, now)).toBe(true);
    expect(conditionsHold({ numNewerVersions: 3 }, noncurrent, now)).toBe(false);
  });

  it('matches any of the prefixes, suffixes and storage classes given', () => {
    const now = at('2030-01-02T00:00:00Z');
    expect(conditionsHold({ matchesPrefix: ['other/', 'backups/'] }, candidate(), now)).toBe(true);
    expect(conditionsHold({ matchesPrefix: ['other/'] }, candidate(), now)).toBe(false);
    expect(conditionsHold({ matchesSuffix: ['.gz'] }, candidate(), now)).toBe(true);
    expect(conditionsHold({ matchesStorageClass: ['STANDARD'] }, candidate(), now)).toBe(true);
    expect(conditionsHold({ matchesStorageClass: ['NEARLINE'] }, candidate(), now)).toBe(false);
  });

  it('holds only when every condition of the rule holds', () => {
    const now = at('2030-01-20T00:00:00Z');
    expect(conditionsHold({ age: 10, matchesPrefix: ['backups/'] }, candidate(), now)).toBe(true);
    expect(conditionsHold({ age: 10, matchesPrefix: ['other/'] }, candidate(), now)).toBe(false);
    expect(conditionsHold({ age: 30, matchesPrefix: ['backups/'] }, candidate(), now)).toBe(false);
  });
});
