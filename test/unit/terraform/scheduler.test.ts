// The Cloud Scheduler jobs: backup nightly, verify later, the restore drill and the deep check weekly, the binary-log
// shipping every few minutes, each calling its function's Cloud Run URL with an OIDC token for exactly that URL, as
// the scheduler's own service account.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  asObject,
  type Block,
  block,
  blocks,
  loadModule,
  resource,
  type TerraformModule,
  unwrap,
} from './hcl.js';

let mod: TerraformModule;
let job: Block;

beforeAll(async () => {
  mod = await loadModule();
  job = resource(mod, 'google_cloud_scheduler_job', 'function');
});

describe('scheduler jobs', () => {
  it('call backup and verify nightly, the restore drill and verify with deep=true weekly, binlogs every 5 minutes', () => {
    expect(unwrap(job.for_each)).toBe('local.schedules');
    const calls = unwrap(asObject(mod.locals.scheduled_calls));
    expect(calls).toEqual({
      backup: { function: 'backup', query: '', cron: 'var.backup_schedule' },
      verify: { function: 'verify', query: '', cron: 'var.verify_schedule' },
      restore: { function: 'restore', query: '', cron: 'var.drill_schedule' },
      'deep-check': { function: 'verify', query: '?deep=true', cron: 'var.deep_check_schedule' },
      binlogs: { function: 'binlogs', query: '', cron: 'var.binlog_schedule' },
    });
    expect(mod.variables.binlog_schedule?.default).toBe('*/5 * * * *');
    expect(mod.variables.backup_schedule?.default).toBe('0 2 * * *');
    // Five fields, the last one a single day of the week: once a week.
    expect(String(mod.variables.drill_schedule?.default)).toMatch(/^\S+ \S+ \* \* [0-6]$/);
    expect(String(mod.variables.deep_check_schedule?.default)).toMatch(/^\S+ \S+ \* \* [0-6]$/);
  });

  it('stop the plan on a cron that Cloud Scheduler or the function would refuse (cron.tf)', () => {
    const [lifecycle] = blocks(job, 'lifecycle');
    const [precondition] = blocks(lifecycle ?? {}, 'precondition');
    expect(unwrap(precondition?.condition)).toBe('length(local.cron_errors[each.key]) == 0');
  });

  it("call the Cloud Run service's URI, with the job's query, and that URI as the token's audience", () => {
    const target = block(job, 'http_target');
    const uri =
      'google_cloudfunctions2_function.function[local.scheduled_calls[each.key].function].service_config[0].uri';
    // The HCL reader unwraps the template's outer ${ }: the two interpolations joined.
    expect(unwrap(target.uri)).toBe(`${uri}}\${local.scheduled_calls[each.key].query`);
    expect(blocks(target, 'oauth_token')).toEqual([]);
    expect(unwrap(block(target, 'oidc_token'))).toEqual({
      service_account_email: 'google_service_account.scheduler.email',
      audience: uri,
    });
  });

  it('run in the time zone the function dates its objects and derives the schedule in', () => {
    expect(unwrap(job.time_zone)).toBe('var.time_zone');
    const settings = asObject(mod.locals.function_settings);
    expect(unwrap(settings.BACKUP_TIME_ZONE)).toBe('var.time_zone');
  });

  it('wait the full 30 minutes for an attempt, longer than the poll budget can be, and retry', () => {
    expect(job.attempt_deadline).toBe('1800s');
    expect(unwrap(block(job, 'retry_config').retry_count)).toBe('var.scheduler_retry_count');
    expect(mod.variables.scheduler_retry_count?.default).toBeGreaterThan(0);
    expect(JSON.stringify(mod.variables.poll_budget_seconds?.validation)).toContain('<= 1740');
  });
});
