import { describe, expect, it } from 'vitest';
import { BackupError } from '../../../core/errors.js';
import { backupExtension, compressionOf, isEncrypted } from '../../../core/formats.js';
import { backupDate, objectName, parseObjectName, validatePrefix } from '../../../core/object-name.js';

const at = (iso: string) => new Date(iso);

describe('objectName', () => {
  it('names <prefix><DBName>_yyyyMMdd<ext>', () => {
    expect(objectName('HospitalDB', at('2026-11-26T02:00:00Z'), { ext: '.sql.gz' })).toBe(
      'HospitalDB_20261126.sql.gz',
    );
    expect(
      objectName('demo', at('2026-11-26T02:00:00Z'), { prefix: 'nightly/db1/', ext: '.archive.zst' }),
    ).toBe('nightly/db1/demo_20261126.archive.zst');
  });

  it('takes the date of the run start in the configured zone', () => {
    const start = at('2026-03-28T23:30:00Z');
    expect(objectName('db', start)).toBe('db_20260328');
    expect(objectName('db', start, { timeZone: 'Europe/Lisbon' })).toBe('db_20260328');
    expect(objectName('db', start, { timeZone: 'Asia/Tokyo' })).toBe('db_20260329');
  });

  it.each([
    // Lisbon springs forward on 2026-03-29 at 01:00Z; 23:30Z the evening before is still WET (UTC+0)
    ['2026-03-28T23:30:00Z', 'Europe/Lisbon', '20260328'],
    ['2026-03-29T23:30:00Z', 'Europe/Lisbon', '20260330'],
    // Lisbon falls back on 2026-10-25 at 01:00Z; 23:30Z the evening before is WEST (UTC+1), already the 25th
    ['2026-10-24T23:30:00Z', 'Europe/Lisbon', '20261025'],
    ['2026-10-25T23:30:00Z', 'Europe/Lisbon', '20261025'],
    // New York springs forward on 2026-03-08 and falls back on 2026-11-01
    ['2026-03-08T04:30:00Z', 'America/New_York', '20260307'],
    ['2026-03-09T03:30:00Z', 'America/New_York', '20260308'],
    ['2026-11-01T04:30:00Z', 'America/New_York', '20261101'],
    ['2026-11-02T04:30:00Z', 'America/New_York', '20261101'],
  ])('crosses DST transitions: %s in %s is %s', (iso, zone, date) => {
    expect(backupDate(at(iso), zone)).toBe(date);
  });

  it('puts the two sides of the date line on different days', () => {
    const noon = at('2026-06-15T12:00:00Z');
    expect(backupDate(noon, 'Pacific/Kiritimati')).toBe('20260616');
    expect(backupDate(noon, 'Pacific/Pago_Pago')).toBe('20260615');
  });

  it('knows 29 February', () => {
    expect(backupDate(at('2028-02-29T12:00:00Z'))).toBe('20280229');
    expect(backupDate(at('2028-02-29T23:30:00Z'), 'Asia/Tokyo')).toBe('20280301');
    expect(backupDate(at('2028-03-01T02:00:00Z'), 'America/New_York')).toBe('20280229');
  });

  it('refuses an unknown time zone by name instead of falling back to UTC', () => {
    const call = () => objectName('db', at('2026-01-01T00:00:00Z'), { timeZone: 'Europe/Atlantis' });
    expect(call).toThrow(BackupError);
    expect(call).toThrow(/Europe\/Atlantis/);
    try {
      call();
    } catch (error) {
      expect((error as BackupError).code).toBe('UNKNOWN_TIME_ZONE');
    }
  });

  it('refuses a bad database name, prefix or extension', () => {
    expect(() => objectName('../x', at('2026-01-01T00:00:00Z'))).toThrow(/"\.\.\/x"/);
    expect(() => objectName('db', at('2026-01-01T00:00:00Z'), { prefix: '../' })).toThrow(/prefix/);
    expect(() => objectName('db', at('2026-01-01T00:00:00Z'), { ext: '.exe' })).toThrow(/\.exe/);
  });
});

describe('validatePrefix', () => {
  it.each(['', 'backups/', 'a/b-c/d_e.f/'])('accepts %j', (prefix) => {
    expect(validatePrefix(prefix)).toBe(prefix);
  });
  it.each(['/abs/', '../', 'a/../b/', 'a b/', 'a//b/', 'ä/'])('rejects %j', (prefix) => {
    expect(() => validatePrefix(prefix)).toThrow(/invalid prefix/);
  });
});

describe('parseObjectName', () => {
  it('reads an encrypted backup’s name: the date rule kept, `.age` after the format', () => {
    expect(parseObjectName('HospitalDB_20261207.sql.gz.age')).toEqual({
      database: 'HospitalDB',
      date: '20261207',
      ext: '.sql.gz.age',
    });
    expect(objectName('HospitalDB', new Date('2026-12-07T01:00:00Z'), { ext: '.archive.zst.age' })).toBe(
      'HospitalDB_20261207.archive.zst.age',
    );
    expect(isEncrypted('HospitalDB_20261207.sql.gz.age')).toBe(true);
    expect(isEncrypted('HospitalDB_20261207.sql.gz')).toBe(false);
    expect(compressionOf('HospitalDB_20261207.sql.zst.age', 'mysql')).toBe('zstd');
    expect(compressionOf('HospitalDB_20261207.sql.gz', 'mysql')).toBe('gzip');
    expect(compressionOf('HospitalDB_20261207.age', 'mysql')).toBeNull();
    expect(backupExtension('mongodb', 'gzip', true)).toBe('.archive.gz.age');
  });

  it('inverts objectName', () => {
    const options = { prefix: 'nightly/', timeZone: 'Asia/Tokyo', ext: '.sql.gz' };
    const name = objectName('HospitalDB', at('2028-02-29T23:30:00Z'), options);
    expect(parseObjectName(name, options)).toEqual({
      database: 'HospitalDB',
      date: '20280301',
      ext: '.sql.gz',
    });
  });

  it('keeps underscores inside the database name', () => {
    expect(parseObjectName('my_db_2_20261126.archive.gz')).toEqual({
      database: 'my_db_2',
      date: '20261126',
      ext: '.archive.gz',
    });
  });

  it.each([
    ['other/db_20261126.sql.gz', 'nightly/'],
    ['nightly/db_2026112.sql.gz', 'nightly/'],
    ['nightly/db_20261331.sql.gz', 'nightly/'],
    ['nightly/-db_20261126.sql.gz', 'nightly/'],
    ['nightly/db.sql.gz', 'nightly/'],
  ])('returns null for %j under prefix %j', (name, prefix) => {
    expect(parseObjectName(name, { prefix })).toBeNull();
  });
});
