// A call as Cloud Scheduler makes it once Cloud Run has verified its OIDC token: the token's claims with the
// signature replaced, and the scheduler's own headers.

/** An OIDC token as Cloud Run forwards it once verified: its claims, the signature replaced. */
function forwardedToken(email: string): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `Bearer ${part({ alg: 'RS256' })}.${part({ email, email_verified: true })}.SIGNATURE_REMOVED_BY_GOOGLE`;
}

/** The headers of one scheduled execution of `job` at `time`, called by `caller`'s identity. */
export function scheduledHeaders(caller: string, job: string, time: string): Record<string, string> {
  return {
    Authorization: forwardedToken(caller),
    'X-CloudScheduler': 'true',
    'X-CloudScheduler-JobName': job,
    'X-CloudScheduler-ScheduleTime': time,
  };
}
