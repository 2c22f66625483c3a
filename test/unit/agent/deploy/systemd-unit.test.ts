// The agent's systemd unit: it runs what install.sh installs, its network allow list agrees with the Terraform
// module and agent.json's defaults, its log reaches syslog through the journal, and systemd's own security review
// (where this systemd has `systemd-analyze security --offline`) rates it at or below 1.7.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { BlockList } from 'node:net';
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

/** The range the functions reach the agent from, as the unit admits it. */
const FUNCTIONS_RANGE = '10.8.0.0/26';

const toNumber = (address: string) =>
  address.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
const toAddress = (value: number) =>
  [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
const firstAddress = (range: string) => range.split('/')[0] ?? '';
function lastAddress(range: string): string {
  const [network, prefix] = range.split('/');
  return toAddress(toNumber(network ?? '') + 2 ** (32 - Number(prefix)) - 1);
}

describe('the systemd unit', () => {
  let settings: Map<string, string[]>;
  const allowed = () => settings.get('IPAddressAllow')?.flatMap((value) => value.split(' '));
  beforeAll(async () => {
    settings = await serviceSettings();
  });

  it("denies every address but localhost, the functions' range, Private Google Access and the DNS resolver", () => {
    expect(settings.get('IPAddressDeny')).toEqual(['any']);
    expect(allowed()).toEqual([
      'localhost',
      FUNCTIONS_RANGE,
      '199.36.153.8/30',
      '199.36.153.4/30',
      '169.254.169.254',
    ]);
  });

  it("admits the storage ranges the agent's route check expects by default, and no other storage range", () => {
    expect(allowed()?.filter((value) => value.startsWith('199.36.'))).toEqual(AGENT_DEFAULTS.storageRanges);
  });

  it("admits every address the functions may come from with Terraform's defaults, either way of egress", async () => {
    const { variables } = await loadModule();
    const admitted = new BlockList();
    for (const range of allowed()?.filter((value) => value.includes('/')) ?? []) {
      const [network, prefix] = range.split('/');
      admitted.addSubnet(network ?? '', Number(prefix));
    }
    for (const name of ['function_subnet_cidr', 'connector_cidr']) {
      const range = String(variables[name]?.default);
      for (const address of [firstAddress(range), lastAddress(range)]) {
        expect(admitted.check(address), `${name} ${range}: ${address}`).toBe(true);
      }
    }
  });

  it('runs the agent install.sh puts in place, with the Node.js install.sh checks, on the default config', async () => {
    const script = await readFile(join(import.meta.dirname, '../../../../agent/deploy/install.sh'), 'utf8');
    const prefix = /^PREFIX="\$\{PREFIX:-([^}]+)\}"$/m.exec(script)?.[1];
    const node = /^NODE=(\S+)$/m.exec(script)?.[1];
    expect(script).toContain('cp -R "$RELEASE_DIR/main.mjs"');
    expect(settings.get('ExecStart')).toEqual([
      `${node} ${prefix}/main.mjs --config ${AGENT_DEFAULTS.configPath}`,
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
