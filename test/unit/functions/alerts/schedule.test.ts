// The scheduled execution read from Cloud Scheduler's headers — believed only from Cloud Scheduler's own verified
// identity and for a recent time — and the alert marker's name built from it.
import { describe, expect, it } from 'vitest';
import { parseObjectName } from '../../../../core/object-name.js';
import {
  alertMarkerName,
  scheduledExecution,
  verifiedCaller,
} from '../../../../functions/alerts/schedule.js';

const SCHEDULER = 'db-backup-sched@acme.iam.gserviceaccount.com';
const NOW = new Date('2024-05-01T02:03:00Z');
const headers = (values: Record<string, string>) => (name: string) => values[name];

/** An OIDC token as Cloud Run forwards it to the container: verified, its signature replaced. */
function forwarded(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `Bearer ${part({ alg: 'RS256' })}.${part(claims)}.SIGNATURE_REMOVED_BY_GOOGLE`;
}
const fromScheduler = forwarded({ email: SCHEDULER, email_verified: true, aud: 'https://fn' });
const attempt = (extra: Record<string, string> = {}) =>
  headers({
    'x-cloudscheduler-jobname': ' nightly ',
    'x-cloudscheduler-scheduletime': '2024-05-01T02:00:00Z',
    authorization: fromScheduler,
    ...extra,
  });

describe('verifiedCaller', () => {
  it('reads the e-mail of the token Cloud Run verified, from either header it forwards', () => {
    expect(verifiedCaller(headers({ authorization: fromScheduler }))).toBe(SCHEDULER);
    expect(verifiedCaller(headers({ 'x-serverless-authorization': fromScheduler }))).toBe(SCHEDULER);
  });

  it('believes no token that did not pass through Cloud Run, and no unverified e-mail', () => {
    const signed = fromScheduler.replace('SIGNATURE_REMOVED_BY_GOOGLE', 'c2lnbmF0dXJl');
    expect(verifiedCaller(headers({ authorization: signed }))).toBeUndefined();
    expect(verifiedCaller(headers({ authorization: forwarded({ email: SCHEDULER }) }))).toBeUndefined();
    expect(
      verifiedCaller(headers({ authorization: 'Bearer junk.junk.SIGNATURE_REMOVED_BY_GOOGLE' })),
    ).toBeUndefined();
    expect(verifiedCaller(headers({}))).toBeUndefined();
  });
});

describe('scheduledExecution', () => {
  it("reads both headers from Cloud Scheduler's own account", () => {
    expect(scheduledExecution(attempt(), SCHEDULER, NOW)).toEqual({
      jobName: 'nightly',
      scheduleTime: '2024-05-01T02:00:00Z',
    });
  });

  it('is undefined for any other caller, or without a configured scheduler account', () => {
    const other = forwarded({ email: 'someone@acme.com', email_verified: true });
    expect(scheduledExecution(attempt({ authorization: other }), SCHEDULER, NOW)).toBeUndefined();
    expect(scheduledExecution(attempt({ authorization: '' }), SCHEDULER, NOW)).toBeUndefined();
    expect(scheduledExecution(attempt(), undefined, NOW)).toBeUndefined();
  });

  it('is undefined for a time in the future or more than a day old: no claiming another night', () => {
    for (const time of ['2024-05-02T02:00:00Z', '2024-04-29T02:00:00Z', 'yesterday']) {
      expect(
        scheduledExecution(attempt({ 'x-cloudscheduler-scheduletime': time }), SCHEDULER, NOW),
      ).toBeUndefined();
    }
  });

  it('is undefined unless both headers are there and non-empty', () => {
    expect(scheduledExecution(headers({ authorization: fromScheduler }), SCHEDULER, NOW)).toBeUndefined();
    expect(scheduledExecution(attempt({ 'x-cloudscheduler-jobname': ' ' }), SCHEDULER, NOW)).toBeUndefined();
  });
});

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
