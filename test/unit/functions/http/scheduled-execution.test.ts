// The scheduled execution read from Cloud Scheduler's headers — believed only from Cloud Scheduler's own verified
// identity and for a recent time.
import { describe, expect, it } from 'vitest';
import { scheduledExecution, verifiedCaller } from '../../../../functions/http/scheduled-execution.js';

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
