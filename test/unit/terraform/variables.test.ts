// Every input of the module and of its example is typed, described, and validated where a wrong value is likely.
import { beforeAll, describe, expect, it } from 'vitest';
import { exampleDir, expression, loadModule, type TerraformModule } from './hcl.js';

/** Inputs with a closed set of values or a format Google would only reject halfway through an apply. */
const MUST_VALIDATE = [
  'project_id',
  'name_prefix',
  'bucket_name',
  'storage_class',
  'soft_delete_retention_days',
  'retention_period_days',
  'targets',
  'agents',
  'object_prefix',
  'on_error',
  'concurrency',
  'poll_budget_seconds',
  'retention_daily_days',
  'retention_weekly_weeks',
  'retention_monthly_months',
  'retention_yearly_years',
  'shrink_warning_ratio',
  'restore_url_minutes',
  'rpo_minutes',
  'signing_key_id',
  'signing_public_key_pem',
  'alert_recipients',
  'alert_sender',
  'gmail_auth',
  'monitoring_emails',
  'function_source_zip',
  'runtime',
  'ingress_settings',
  'invokers',
  'backup_schedule',
  'verify_schedule',
  'drill_schedule',
  'deep_check_schedule',
  'binlog_schedule',
  'time_zone',
  'vpc_egress',
  'function_subnet_cidr',
  'connector_cidr',
  'agent_network_tag',
  'agent_port',
  'agent_firewall_priority',
];

let modules: [string, TerraformModule][];

beforeAll(async () => {
  modules = [
    ['module', await loadModule()],
    ['example', await loadModule(exampleDir)],
  ];
});

describe('variables', () => {
  it('are each typed and described', () => {
    for (const [where, mod] of modules) {
      expect(Object.keys(mod.variables).length, where).toBeGreaterThan(0);
      for (const [name, variable] of Object.entries(mod.variables)) {
        expect(expression(variable.type), `${where}: type of ${name}`).toMatch(/\S/);
        expect(variable.description, `${where}: description of ${name}`).toMatch(/\S{3,}/);
      }
    }
  });

  it('are validated where a wrong value is likely', async () => {
    const mod = await loadModule();
    for (const name of MUST_VALIDATE) {
      const validations = mod.variables[name]?.validation;
      expect(Array.isArray(validations) && validations.length > 0, `validation of ${name}`).toBe(true);
    }
  });

  it('explain every validation failure', async () => {
    const mod = await loadModule();
    for (const [name, variable] of Object.entries(mod.variables)) {
      for (const validation of (variable.validation ?? []) as Record<string, unknown>[]) {
        expect(validation.error_message, `error_message of ${name}`).toMatch(/\S{3,}/);
      }
    }
  });
});
