// The alert marker's name, built from a scheduled execution: one object per execution, whatever retries it.
import { describe, expect, it } from 'vitest';
import { parseObjectName } from '../../../../core/object-name.js';
import { alertMarkerName } from '../../../../functions/alerts/marker-name.js';

describe('alertMarkerName', () => {
  const name = (jobName: string, scheduleTime = '2024-05-01T02:00:00Z', prefix = 'nightly/') =>
    alertMarkerName(prefix, 'backup', 'Europe/Lisbon', { jobName, scheduleTime });

  it('puts the function, the date, the job and the UTC time under <prefix>_alerts/', () => {
    expect(name('db-backup-nightly')).toBe(
      'nightly/_alerts/backup/20240501/db-backup-nightly/2024-05-01T02-00-00.000Z',
    );
    expect(
      alertMarkerName('', 'verify', 'UTC', { jobName: 'job', scheduleTime: '2024-05-01T23:30:00Z' }),
    ).toBe('_alerts/verify/20240501/job/2024-05-01T23-30-00.000Z');
  });

  it('dates the execution in the backup time zone', () => {
    expect(name('job', '2024-05-01T23:30:00Z')).toContain('/20240502/');
  });

  it('names one execution the same whatever offset or precision its time is written with', () => {
    const utc = name('job', '2024-05-01T02:00:00Z');
    expect(name('job', '2024-05-01T02:00:00+00:00')).toBe(utc);
    expect(name('job', '2024-05-01T04:00:00.000+02:00')).toBe(utc);
    expect(name('job', '2024-05-01T02:00:01Z')).not.toBe(utc);
  });

  it('reduces a job name to one safe segment: no folders, no dot segments', () => {
    expect(name('projects/acme/locations/europe-west1/jobs/nightly').split('/')[4]).toBe(
      'projects-acme-locations-europe-west1-jobs-nightly',
    );
    expect(name('../../HospitalDB_20240501.sql.gz').split('/')[4]).toBe('HospitalDB_20240501.sql.gz');
    expect(name('a'.repeat(500)).split('/')[4]).toHaveLength(100);
    expect(() => name('..')).toThrow(/x-cloudscheduler-jobname "\.\." has no usable name/);
    expect(() => name('/ /')).toThrow(/no usable name/);
  });

  it('refuses a time that is not RFC 3339', () => {
    for (const bad of ['yesterday', '2024-05-01', '2024-05-01 02:00:00Z', '2024-05-01T02:00:00Z/../x']) {
      expect(() => name('job', bad)).toThrow(/x-cloudscheduler-scheduletime .* is not an RFC 3339 time/);
    }
  });

  it('is never mistaken for a backup object of the prefix', () => {
    expect(parseObjectName(name('HospitalDB_20240501'), { prefix: 'nightly/' })).toBeNull();
  });
});
