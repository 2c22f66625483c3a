// The alert path that works when Gmail does not: which log entries each policy selects (the filters as Terraform
// evaluates them, against the field names Google documents), and that every policy reaches its e-mail addresses
// and the admin's own channels at once.
import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVENTS, type EventName } from '../../../functions/logging/events.js';
import { createCloudLogger } from '../../../functions/logging/logger.js';
import { BACKUP_OUTCOMES } from '../../../functions/run/report.js';
import {
  asObject,
  type Block,
  block,
  expression,
  loadModule,
  localOf,
  resource,
  type TerraformModule,
} from './hcl.js';
import { hasTerraform, useConsole } from './tf-console.js';

let mod: TerraformModule;
let policy: Block;

beforeAll(async () => {
  mod = await loadModule();
  policy = resource(mod, 'google_monitoring_alert_policy', 'log');
});

describe('alert policies', () => {
  it('match log entries directly: no log-based metric that must exist before the first apply can succeed', () => {
    const condition = block(block(policy, 'conditions'), 'condition_matched_log');
    expect(expression(condition.filter)).toBe('local.log_filters[each.key]');
    expect(Object.keys(mod.resources.google_monitoring_alert_policy ?? {})).toEqual(['log']);
    // Whatever log-based metrics exist serve the dashboard, never an alert condition.
    const alerts = JSON.stringify(mod.resources.google_monitoring_alert_policy);
    expect(alerts).not.toContain('google_logging_metric');
    expect(alerts).not.toContain('condition_threshold');
  });

  it('exist for the alerting mark, a function that cannot start and a failed scheduler attempt', () => {
    const policies = asObject(localOf(mod, policy.for_each));
    expect(Object.keys(policies).sort()).toEqual(['alerting', 'function_failed', 'schedule_failed']);
    // The rate limit Cloud Monitoring requires of a log-match policy is set, per policy.
    const strategy = block(block(policy, 'alert_strategy'), 'notification_rate_limit');
    expect(expression(strategy.period)).toBe('each.value.rate_limit');
    for (const [name, body] of Object.entries(policies)) {
      expect(asObject(body).rate_limit, name).toMatch(/^\d+s$/);
    }
  });

  it('notify every monitoring address and every channel the admin made', () => {
    expect(expression(policy.notification_channels)).toBe(
      'concat([for c in google_monitoring_notification_channel.email : c.id], var.monitoring_notification_channels)',
    );
    const channel = resource(mod, 'google_monitoring_notification_channel', 'email');
    expect(channel.type).toBe('email');
    expect(expression(channel.for_each)).toBe('toset(local.monitoring_emails)');
    // Slack, webhook and PagerDuty channels hold tokens: made outside Terraform, they stay out of its state.
    expect(Object.keys(mod.resources.google_monitoring_notification_channel ?? {})).toEqual(['email']);
  });
});

describe.skipIf(!hasTerraform)('who hears of failures, as Terraform evaluates it', () => {
  const tf = useConsole();
  const CHANNEL = '"projects/my-project-1/notificationChannels/1234567890"';

  it('may be channels alone, never nobody', async () => {
    const channelsOnly = { monitoring_emails: '[]', monitoring_notification_channels: `[${CHANNEL}]` };
    expect(await tf().json('var.monitoring_emails', channelsOnly)).toEqual([]);
    const nobody = await tf().evaluate('var.monitoring_emails', { monitoring_emails: '[]' });
    expect(nobody.ok).toBe(false);
    expect(nobody.out.replace(/\s+/g, ' ')).toContain(
      'an empty list only with monitoring_notification_channels',
    );
  });

  it('takes channels by id only', async () => {
    const slackUrl = await tf().evaluate('var.monitoring_notification_channels', {
      monitoring_notification_channels: '["https://hooks.slack.com/services/T000/B000/XXXX"]',
    });
    expect(slackUrl.ok).toBe(false);
    expect(slackUrl.out.replace(/\s+/g, ' ')).toContain('projects/<project>/notificationChannels/<number>');
  });
});

describe("the function's log lines, where the filters and extractors read them", () => {
  /** The JSON line the deployed function writes for one event; Cloud Run makes its other fields jsonPayload. */
  const lineOf = (name: EventName, fields: Record<string, unknown> = {}) => {
    const stream = new PassThrough();
    createCloudLogger({ stream, project: 'my-project-1' }).event(name, 'message', fields);
    return JSON.parse(String(stream.read()));
  };

  it('mark alerting: true on exactly the events the admin must act on, so jsonPayload.alerting=true selects them', () => {
    const names = Object.keys(EVENTS) as EventName[];
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) {
      // A caller's own field cannot forge the mark or hide it.
      const line = lineOf(name, { alerting: !EVENTS[name].alerting });
      if (EVENTS[name].alerting) expect(line.alerting, name).toBe(true);
      else expect(line, name).not.toHaveProperty('alerting');
    }
    for (const name of [
      'backup.failed',
      'verify.missing',
      'verify.failed',
      'verify.stuck',
      'verify.interrupted',
      'alert.failed',
    ] as const) {
      expect(EVENTS[name].alerting, name).toBe(true);
    }
  });

  it('carry the event and the database where the label extractors read them', () => {
    const line = lineOf('backup.failed', { database: 'HospitalDB', bytes: 10, durationMs: 5 });
    expect(line.event).toBe('backup.failed'); // EXTRACT(jsonPayload.event)
    expect(line['logging.googleapis.com/labels']).toMatchObject({ database: 'HospitalDB' }); // EXTRACT(labels.database)
    expect(line).toMatchObject({ bytes: 10, durationMs: 5 }); // EXTRACT(jsonPayload.bytes|durationMs)
  });
});

describe('dashboard', () => {
  it('counts every outcome a backup settles with, and sizes each one that wrote an object', () => {
    const outcomes = asObject(mod.locals).backup_outcomes as string[];
    expect([...outcomes].sort()).toEqual(BACKUP_OUTCOMES.filter((o) => o !== 'planned').sort());
    for (const outcome of outcomes) expect(EVENTS).toHaveProperty(`backup.${outcome}`);
    expect(asObject(mod.locals).backup_written).toEqual(['succeeded', 'warning']);
  });

  it('is linked from the outputs', () => {
    expect(String(mod.outputs.dashboard_url?.value)).toContain('google_monitoring_dashboard.backups.id');
  });
});

/** Split a filter at its top-level ANDs (outside parentheses): each clause is one requirement an entry must meet. */
function clauses(filter: string): string[] {
  const parts = [''];
  let depth = 0;
  for (let i = 0; i < filter.length; i++) {
    const char = filter[i] ?? '';
    depth += char === '(' ? 1 : char === ')' ? -1 : 0;
    if (depth === 0 && filter.startsWith(' AND ', i)) {
      parts.push('');
      i += ' AND '.length - 1;
    } else {
      parts[parts.length - 1] += char;
    }
  }
  return parts;
}

describe.skipIf(!hasTerraform)('log filters, as Terraform writes them', () => {
  const tf = useConsole();
  let filters: Record<string, string>;
  let functionNames: Record<string, string>;
  let jobNames: Record<string, string>;

  beforeAll(async () => {
    filters = await tf().json('local.log_filters');
    functionNames = await tf().json('local.function_names');
    jobNames = await tf().json('local.job_names');
  });

  const services = () =>
    `resource.labels.service_name=(${Object.values(functionNames)
      .map((name) => `"${name}"`)
      .join(' OR ')})`;

  it('select every entry the functions mark alerting: true, and nothing else of theirs', () => {
    // cloud_run_revision is the resource of a gen2 function's logs; its service_name is the function's name.
    expect(clauses(filters.alerting ?? '')).toEqual([
      'resource.type="cloud_run_revision"',
      services(),
      'jsonPayload.alerting=true',
    ]);
    expect(Object.keys(functionNames).sort()).toEqual([
      'backup',
      'binlogs',
      'doctor',
      'list',
      'restore',
      'retention',
      'status',
      'verify',
    ]);
  });

  it("select Cloud Run's own errors about the functions' instances (failed start, crash, memory limit)", () => {
    expect(clauses(filters.function_failed ?? '')).toEqual([
      'resource.type="cloud_run_revision"',
      services(),
      'log_id("run.googleapis.com/varlog/system")',
      'severity>=ERROR',
    ]);
  });

  it("select Cloud Scheduler's failed attempts of the module's jobs, and not the successful ones", () => {
    expect(Object.keys(jobNames).sort()).toEqual(['backup', 'binlogs', 'deep-check', 'restore', 'verify']);
    expect(clauses(filters.schedule_failed ?? '')).toEqual([
      'resource.type="cloud_scheduler_job"',
      `resource.labels.job_id=(${Object.values(jobNames)
        .map((name) => `"${name}"`)
        .join(' OR ')})`,
      'log_id("cloudscheduler.googleapis.com/executions")',
      'jsonPayload."@type"="type.googleapis.com/google.cloud.scheduler.logging.AttemptFinished"',
      // A failed attempt is written at ERROR with a status (PERMISSION_DENIED, NOT_FOUND, DEADLINE_EXCEEDED, …);
      // a successful one has no status, or OK.
      '(severity>=ERROR OR (jsonPayload.status:* AND jsonPayload.status!="OK"))',
    ]);
  });

  it('follow the name prefix, so two deployments in one project do not hear of each other', async () => {
    const other = await tf().json<Record<string, string>>('local.log_filters', { name_prefix: '"db-b2"' });
    expect(other.alerting).toContain('"db-b2-backup"');
    expect(other.alerting).not.toContain('"db-backup-backup"');
    expect(other.schedule_failed).toContain('"db-b2-restore"');
  });
});
