// The scheduled execution read from Cloud Scheduler's headers and the alert marker's name built from it.
import { describe, expect, it } from 'vitest';
import { parseObjectName } from '../../../../core/object-name.js';
import { alertMarkerName, scheduledExecution } from '../../../../functions/alerts/schedule.js';

const headers = (values: Record<string, string>) => (name: string) => values[name];

describe('scheduledExecution', () => {
  it('reads both headers (lower-cased names, as Node gives them)', () => {
    expect(
      scheduledExecution(
        headers({
          'x-cloudscheduler-jobname': ' nightly ',
          'x-cloudscheduler-scheduletime': '2024-05-01T02:00:00Z',
        }),
      ),
    ).toEqual({ jobName: 'nightly', scheduleTime: '2024-05-01T02:00:00Z' });
  });

  it('is undefined unless both are there and non-empty', () => {
    expect(scheduledExecution(headers({}))).toBeUndefined();
    expect(scheduledExecution(headers({ 'x-cloudscheduler-jobname': 'nightly' }))).toBeUndefined();
    expect(
      scheduledExecution(
        headers({ 'x-cloudscheduler-jobname': ' ', 'x-cloudscheduler-scheduletime': '2024-05-01T02:00:00Z' }),
      ),
    ).toBeUndefined();
  });
});

describe('alertMarkerName', () => {
  const name = (jobName: string, scheduleTime = '2024-05-01T02:00:00Z', prefix = 'nightly/') =>
    alertMarkerName(prefix, { jobName, scheduleTime });

  it('puts the job and the UTC time under <prefix>_alerts/', () => {
    expect(name('db-backup-nightly')).toBe('nightly/_alerts/db-backup-nightly/2024-05-01T02-00-00.000Z');
    expect(name('job', '2024-05-01T02:00:00Z', '')).toBe('_alerts/job/2024-05-01T02-00-00.000Z');
  });

  it('names one execution the same whatever offset or precision its time is written with', () => {
    const utc = name('job', '2024-05-01T02:00:00Z');
    expect(name('job', '2024-05-01T02:00:00+00:00')).toBe(utc);
    expect(name('job', '2024-05-01T04:00:00.000+02:00')).toBe(utc);
    expect(name('job', '2024-05-01T02:00:01Z')).not.toBe(utc);
  });

  it('reduces a job name to one safe segment: no folders, no dot segments', () => {
    expect(name('projects/acme/locations/europe-west1/jobs/nightly')).toBe(
      'nightly/_alerts/projects-acme-locations-europe-west1-jobs-nightly/2024-05-01T02-00-00.000Z',
    );
    expect(name('../../HospitalDB_20240501.sql.gz')).toBe(
      'nightly/_alerts/HospitalDB_20240501.sql.gz/2024-05-01T02-00-00.000Z',
    );
    expect(name('a'.repeat(500)).split('/')[2]).toHaveLength(100);
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
    expect(parseObjectName(name('job', '2024-05-01T02:00:00Z', ''), { prefix: '' })).toBeNull();
  });
});
