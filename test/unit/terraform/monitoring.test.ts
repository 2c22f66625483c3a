// The alert path independent of Gmail: a log-based metric on backup.failed and an e-mail alert policy.
import { beforeAll, describe, expect, it } from 'vitest';
import { type Block, block, expression, loadModule, resource, type TerraformModule } from './hcl.js';

let mod: TerraformModule;
let metric: Block;

beforeAll(async () => {
  mod = await loadModule();
  metric = resource(mod, 'google_logging_metric', 'backup_failed');
});

describe('monitoring', () => {
  it("counts the functions' backup.failed log entries", () => {
    const filter = String(metric.filter);
    expect(filter).toContain('\\"backup.failed\\"');
    expect(filter).toContain('jsonPayload.event=');
    expect(filter).toContain('google_cloudfunctions2_function.function');
    expect(block(metric, 'metric_descriptor')).toMatchObject({ metric_kind: 'DELTA', value_type: 'INT64' });
  });

  it('alerts by e-mail as soon as the metric moves', () => {
    const policy = resource(mod, 'google_monitoring_alert_policy', 'backup_failed');
    const condition = block(block(policy, 'conditions'), 'condition_threshold');
    expect(condition.filter).toMatch(
      /metric\.type=\\?"logging\.googleapis\.com\/user\/\$\{google_logging_metric\.backup_failed\.name\}/,
    );
    expect(condition).toMatchObject({ comparison: 'COMPARISON_GT', threshold_value: 0, duration: '0s' });
    expect(expression(policy.notification_channels)).toBe(
      '[for c in google_monitoring_notification_channel.email : c.id]',
    );
    const channel = resource(mod, 'google_monitoring_notification_channel', 'email');
    expect(channel.type).toBe('email');
    expect(expression(channel.for_each)).toBe('toset(local.monitoring_emails)');
  });
});
