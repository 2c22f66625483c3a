// The Cloud Scheduler jobs: backup nightly and verify later, each calling its function with an OIDC token.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  asObject,
  type Block,
  block,
  blocks,
  expression,
  loadModule,
  localOf,
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
  it('exist for backup and for verify', () => {
    const schedules = asObject(localOf(mod, job.for_each));
    expect(unwrap(schedules)).toEqual({ backup: 'var.backup_schedule', verify: 'var.verify_schedule' });
  });

  it('run the backup at 02:00 Europe/Lisbon by default', () => {
    expect(expression(job.schedule)).toBe('each.value');
    expect(expression(job.time_zone)).toBe('var.schedule_time_zone');
    expect(mod.variables.backup_schedule?.default).toBe('0 2 * * *');
    expect(mod.variables.schedule_time_zone?.default).toBe('Europe/Lisbon');
  });

  it('call their own function with an OIDC token of the scheduler service account', () => {
    const target = block(job, 'http_target');
    const url = 'google_cloudfunctions2_function.function[each.key].url';
    expect(expression(target.uri)).toBe(url);
    expect(blocks(target, 'oauth_token')).toEqual([]);
    expect(unwrap(block(target, 'oidc_token'))).toEqual({
      service_account_email: 'google_service_account.scheduler.email',
      audience: url,
    });
  });

  it('wait the full 30 minutes for an attempt, and retry', () => {
    expect(job.attempt_deadline).toBe('1800s');
    expect(expression(block(job, 'retry_config').retry_count)).toBe('var.scheduler_retry_count');
    expect(mod.variables.scheduler_retry_count?.default).toBeGreaterThan(0);
  });

  it('give the backup a poll budget under the attempt deadline', () => {
    const budget = mod.variables.poll_budget_seconds?.default;
    expect(typeof budget === 'number' && budget < 1800).toBe(true);
  });
});
