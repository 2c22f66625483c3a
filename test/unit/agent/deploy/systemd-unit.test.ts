// The agent's systemd unit: its network allow list agrees with the Terraform module and agent.json's defaults,
// its log reaches syslog through the journal, and systemd's own security review (where this systemd has
// `systemd-analyze security --offline`) rates it at or below 1.7.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { AGENT_DEFAULTS } from '../../../../agent/config/schema.js';
import { SYSLOG_TAG } from '../../../../agent/log/syslog.js';
import { loadModule } from '../../terraform/hcl.js';

const UNIT = join(import.meta.dirname, '../../../../agent/deploy/db-backup-agent.service');
const run = promisify(execFile);

/** The [Service] settings, each name with every value it is given, in order. */
async function serviceSettings(): Promise<Map<string, string[]>> {
  const settings = new Map<string, string[]>();
  let section = '';
  for (const line of (await readFile(UNIT, 'utf8')).split('\n')) {
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) section = header[1] ?? '';
    const setting = /^(\w+)=(.*)$/.exec(line);
    if (section === 'Service' && setting?.[1] !== undefined) {
      settings.set(setting[1], [...(settings.get(setting[1]) ?? []), setting[2] ?? '']);
    }
  }
  return settings;
}

/** The security review's output, or undefined where systemd-analyze cannot review a unit file offline. */
async function securityReview(): Promise<string | undefined> {
  try {
    const { stdout } = await run('systemd-analyze', ['security', '--offline=true', '--no-pager', UNIT]);
    return stdout;
  } catch {
    return undefined;
  }
}

describe('the systemd unit', () => {
  let settings: Map<string, string[]>;
  beforeAll(async () => {
    settings = await serviceSettings();
  });

  it('denies every address but localhost, the connector range, Private Google Access and the DNS resolver', async () => {
    const mod = await loadModule();
    expect(settings.get('IPAddressDeny')).toEqual(['any']);
    expect(settings.get('IPAddressAllow')?.flatMap((value) => value.split(' '))).toEqual([
      'localhost',
      mod.variables.connector_cidr?.default,
      '199.36.153.8/30',
      '199.36.153.4/30',
      '169.254.169.254',
    ]);
  });

  it("binds only the agent's port, and sees only processes in /proc", () => {
    expect(settings.get('SocketBindAllow')).toEqual([`tcp:${AGENT_DEFAULTS.port}`]);
    expect(settings.get('SocketBindDeny')).toEqual(['any']);
    expect(settings.get('ProcSubset')).toEqual(['pid']);
  });

  it('hands stdout to the journal under the syslog tag, priorities from the line prefixes', () => {
    expect(settings.get('StandardOutput')).toEqual(['journal']);
    expect(settings.get('SyslogIdentifier')).toEqual([SYSLOG_TAG]);
    expect(settings.get('SyslogLevelPrefix')).toEqual(['yes']);
  });

  it('is rated 1.7 or better by systemd-analyze security', async (context) => {
    const review = await securityReview();
    if (review === undefined) {
      context.skip('this systemd-analyze cannot review a unit file offline (--offline needs systemd 250)');
      return;
    }
    const level = /Overall exposure level for [^:]+: (\d+\.\d+)/.exec(review)?.[1];
    expect(Number(level)).toBeLessThanOrEqual(1.7);
    expect(review).toMatch(/✓ ProcSubset=/);
    expect(review).toMatch(/IPAddressDeny=\s+Service defines IP address allow list/);
  });
});
