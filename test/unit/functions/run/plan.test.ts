import { describe, expect, it } from 'vitest';
import { BackupError } from '../../../../core/errors.js';
import { parseBackupRequest } from '../../../../functions/backup/request.js';
import { parseFunctionConfig } from '../../../../functions/config/parse.js';
import { planRun } from '../../../../functions/run/plan.js';
import { parseVerifyRequest } from '../../../../functions/verify/request.js';
import { validEnv } from '../config-env.js';

const config = parseFunctionConfig(
  validEnv({ BACKUP_PREFIX: 'nightly/', BACKUP_TIME_ZONE: 'Europe/Lisbon' }),
);

describe('parseBackupRequest', () => {
  it('reads the query string and a JSON body alike', () => {
    expect(parseBackupRequest({ databases: 'HospitalDB, app', force: 'true' }, undefined)).toEqual({
      databases: ['HospitalDB', 'app'],
      force: true,
      dryRun: false,
    });
    expect(parseBackupRequest({}, { databases: ['app'], dryRun: true })).toEqual({
      databases: ['app'],
      force: false,
      dryRun: true,
    });
    expect(parseBackupRequest({}, {})).toEqual({ force: false, dryRun: false });
  });

  it('names a bad field', () => {
    expect(() => parseBackupRequest({ force: 'yes' }, undefined)).toThrow('force: must be true or false');
    expect(() => parseBackupRequest({}, { databases: 3 })).toThrow(
      'databases: must be a comma-separated list',
    );
  });
});

describe('planRun', () => {
  // 23:30 UTC is already the next day in Lisbon's summer time (UTC+1).
  const summerNight = new Date('2025-06-30T23:30:00Z');

  it('names each object after the run start in the configured zone, in configured order', () => {
    expect(planRun(config, {}, summerNight).map((p) => p.objectName)).toEqual([
      'nightly/HospitalDB_20250701.sql.gz',
      'nightly/app_20250701.sql.zst',
    ]);
  });

  it('narrows to the named databases or target ids', () => {
    expect(planRun(config, { databases: ['app'] }, summerNight).map((p) => p.target.id)).toEqual(['app']);
    expect(planRun(config, { databases: ['hospital'] }, summerNight).map((p) => p.target.id)).toEqual([
      'hospital',
    ]);
  });

  it('refuses a database that is not configured', () => {
    try {
      planRun(config, { databases: ['app', 'nope'] }, summerNight);
      throw new Error('expected an error');
    } catch (error) {
      expect(error).toBeInstanceOf(BackupError);
      expect((error as BackupError).code).toBe('TARGET_UNKNOWN');
      expect((error as BackupError).message).toContain('"nope"');
    }
  });
});

describe('parseVerifyRequest', () => {
  it("checks a given day's objects, in the configured zone", () => {
    const request = parseVerifyRequest({ date: '2025-07-01' }, undefined, 'Europe/Lisbon');
    expect(planRun(config, request, request.day ?? new Date()).map((p) => p.objectName)[0]).toBe(
      'nightly/HospitalDB_20250701.sql.gz',
    );
  });

  it('refuses a date that is not one', () => {
    expect(() => parseVerifyRequest({ date: '2025-02-30' }, undefined, 'UTC')).toThrow(
      'date: must be a calendar date',
    );
  });
});
