// The agents' way to Cloud Storage: the private zone answers every Google API name with private.googleapis.com, whose
// addresses are the ones the agent's sandbox admits, on the network the VMs are in; and an admin who has such a
// zone already can leave it out.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Block,
  block,
  expression,
  loadModule,
  moduleDir,
  resource,
  type TerraformModule,
} from './hcl.js';
import { hasTerraform, useConsole } from './tf-console.js';

let mod: TerraformModule;

beforeAll(async () => {
  mod = await loadModule();
});

/** The ranges the agent's unit lets it exchange packets with (IPAddressAllow=), as [address, prefix length]. */
async function sandboxRanges(): Promise<[number, number][]> {
  const unit = await readFile(join(moduleDir, '..', 'agent', 'deploy', 'db-backup-agent.service'), 'utf8');
  const ranges = [...unit.matchAll(/^IPAddressAllow=(.+)$/gm)].flatMap((line) =>
    (line[1] ?? '').split(/\s+/),
  );
  return ranges
    .filter((range) => /^[\d.]+(\/\d+)?$/.test(range))
    .map((range) => {
      const [address = '', bits = '32'] = range.split('/');
      return [ipv4(address), Number(bits)];
    });
}

const ipv4 = (address: string) => address.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
const within = (address: string, [base, bits]: [number, number]) =>
  Math.floor(ipv4(address) / 2 ** (32 - bits)) === Math.floor(base / 2 ** (32 - bits));

describe('the private zone for Google APIs', () => {
  let zone: Block;

  beforeAll(() => {
    zone = resource(mod, 'google_dns_managed_zone', 'googleapis');
  });

  it('is a private zone for googleapis.com on the database VMs network, unless turned off', () => {
    expect(zone.dns_name).toBe('googleapis.com.');
    expect(zone.visibility).toBe('private');
    expect(expression(block(block(zone, 'private_visibility_config'), 'networks').network_url)).toBe(
      'local.network_id',
    );
    for (const [type, name] of [
      ['google_dns_managed_zone', 'googleapis'],
      ['google_dns_record_set', 'private_googleapis'],
      ['google_dns_record_set', 'googleapis'],
    ] as const)
      expect(expression(resource(mod, type, name).count), name).toBe('var.private_google_apis_dns ? 1 : 0');
    expect(mod.variables.private_google_apis_dns?.default).toBe(true);
  });

  it('sends every *.googleapis.com name to private.googleapis.com', () => {
    const cname = resource(mod, 'google_dns_record_set', 'googleapis');
    expect([cname.name, cname.type, cname.rrdatas]).toEqual([
      '*.googleapis.com.',
      'CNAME',
      ['private.googleapis.com.'],
    ]);
    const a = resource(mod, 'google_dns_record_set', 'private_googleapis');
    expect([a.name, a.type, expression(a.rrdatas)]).toEqual([
      'private.googleapis.com.',
      'A',
      'local.private_google_apis_addresses',
    ]);
    expect(expression(a.managed_zone)).toBe('google_dns_managed_zone.googleapis[0].name');
  });

  it("answers with addresses the agent's sandbox admits, and none it refuses", async () => {
    const addresses = mod.locals.private_google_apis_addresses as string[];
    expect(addresses).toEqual(['199.36.153.8', '199.36.153.9', '199.36.153.10', '199.36.153.11']);
    const ranges = await sandboxRanges();
    for (const address of addresses)
      expect(
        ranges.some((range) => within(address, range)),
        `${address} is outside IPAddressAllow`,
      ).toBe(true);
  });
});

describe.skipIf(!hasTerraform)('the network, as Terraform reads it', () => {
  const tf = useConsole();

  it.each([
    ['a name', 'default'],
    ['a path', 'projects/my-project-1/global/networks/default'],
    ['a self link', 'https://www.googleapis.com/compute/v1/projects/my-project-1/global/networks/default'],
  ])('takes %s, and hands Cloud Run and Cloud DNS the forms they ask for', async (_what, network) => {
    const inputs = { network: JSON.stringify(network) };
    expect(await tf().json('local.network_name', inputs)).toBe('default');
    expect(await tf().json('local.network_id', inputs)).toBe('projects/my-project-1/global/networks/default');
  });

  it.each([
    ["another project's network", 'projects/other-project/global/networks/default'],
    ['a subnet', 'projects/my-project-1/regions/europe-west1/subnetworks/default'],
    ['a name with capitals', 'Default'],
    ['an empty name', ''],
  ])('refuses %s', async (_what, network) => {
    const result = await tf().evaluate('var.network', { network: JSON.stringify(network) });
    expect(result.ok).toBe(false);
    expect(result.out.replace(/\s+/g, ' ')).toContain(
      'network must be a VPC network of project_id (my-project-1)',
    );
  });

  it('refuses the zone where the functions subnet could not reach its addresses', async () => {
    const result = await tf().evaluate('var.private_google_apis_dns', { private_google_access: 'false' });
    expect(result.ok).toBe(false);
    expect(result.out.replace(/\s+/g, ' ')).toContain('only with private_google_access = true');
    const connector = { private_google_access: 'false', vpc_egress: '"connector"' };
    expect((await tf().evaluate('var.private_google_apis_dns', connector)).ok).toBe(true);
    expect(
      (
        await tf().evaluate('var.private_google_apis_dns', {
          private_google_apis_dns: 'false',
          private_google_access: 'false',
        })
      ).ok,
    ).toBe(true);
  });
});
