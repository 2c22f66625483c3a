// Only the functions reach the agent: the firewall admits the range their traffic comes from (which follows the
// egress choice), and a rule right behind it refuses everyone else before default-allow-internal can admit them.
import { beforeAll, describe, expect, it } from 'vitest';
import { type Block, block, expression, loadModule, resource, type TerraformModule, unwrap } from './hcl.js';
import { hasTerraform, useConsole } from './tf-console.js';

let mod: TerraformModule;
let allow: Block;
let deny: Block;

beforeAll(async () => {
  mod = await loadModule();
  allow = resource(mod, 'google_compute_firewall', 'function_to_agent');
  deny = resource(mod, 'google_compute_firewall', 'deny_agent');
});

describe('the agent port', () => {
  it('admits the functions egress range alone, on the agent VMs, on its port', () => {
    expect(unwrap(allow.source_ranges)).toEqual(['local.function_egress_range']);
    expect(allow.source_tags).toBeUndefined();
    expect(unwrap(allow.target_tags)).toEqual(['var.agent_network_tag']);
    expect(unwrap(block(allow, 'allow'))).toEqual({ protocol: 'tcp', ports: ['tostring(var.agent_port)'] });
  });

  it('is refused to every other source by the next rule, on the same VMs and port', () => {
    expect(unwrap(deny.source_ranges)).toEqual(['0.0.0.0/0']);
    expect(unwrap(deny.target_tags)).toEqual(unwrap(allow.target_tags));
    expect(unwrap(block(deny, 'deny'))).toEqual(unwrap(block(allow, 'allow')));
    expect(expression(allow.priority)).toBe('var.agent_firewall_priority');
    expect(expression(deny.priority)).toBe('var.agent_firewall_priority + 1');
    expect(deny.network).toBe(allow.network);
  });
});

describe.skipIf(!hasTerraform)('the egress range, as Terraform evaluates it', () => {
  const tf = useConsole();

  it('is the functions own subnet with Direct VPC egress (the default)', async () => {
    expect(await tf().json('var.vpc_egress')).toBe('direct');
    expect(await tf().json('local.function_egress_range', { function_subnet_cidr: '"10.20.0.0/26"' })).toBe(
      '10.20.0.0/26',
    );
  });

  it('is the connector range with a Serverless VPC Access connector', async () => {
    const inputs = { vpc_egress: '"connector"', connector_cidr: '"10.30.0.0/28"' };
    expect(await tf().json('local.function_egress_range', inputs)).toBe('10.30.0.0/28');
  });

  it('names the functions subnet after its range, so a new range is a new subnet', async () => {
    expect(await tf().json('local.function_subnet_name')).toBe('db-backup-fn-10-8-0-0-26');
    const longest = { name_prefix: `"${'p'.repeat(20)}"`, function_subnet_cidr: '"172.255.255.0/26"' };
    const name = await tf().json<string>('local.function_subnet_name', longest);
    // Compute Engine's rule for a subnet's name.
    expect(name).toMatch(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/);
  });

  it('keeps both rules ahead of default-allow-internal (priority 65534)', async () => {
    const highest = Number(
      await tf().json('var.agent_firewall_priority', { agent_firewall_priority: '65532' }),
    );
    expect(highest + 1).toBeLessThan(65534);
    expect(await tf().json('var.agent_firewall_priority')).toBeLessThan(1000);
  });
});

describe('the functions in the VPC', () => {
  it('use the subnet the module creates with Direct VPC egress, and the connector otherwise', () => {
    const service = block(resource(mod, 'google_cloudfunctions2_function', 'function'), 'service_config');
    const direct = block(asDynamic(service), 'direct_vpc_network_interface');
    expect(expression(direct.for_each)).toBe('google_compute_subnetwork.function');
    expect(expression(resource(mod, 'google_compute_subnetwork', 'function').count)).toBe(
      'var.vpc_egress == "direct" ? 1 : 0',
    );
    expect(expression(resource(mod, 'google_vpc_access_connector', 'function').count)).toBe(
      'var.vpc_egress == "connector" ? 1 : 0',
    );
    // Only private ranges go through the VPC either way: the agent, and Google APIs at private.googleapis.com's
    // addresses (dns.tf), which Direct VPC egress counts among them.
    expect(expression(service.direct_vpc_egress)).toContain('"VPC_EGRESS_PRIVATE_RANGES_ONLY"');
    expect(expression(service.vpc_connector_egress_settings)).toContain('"PRIVATE_RANGES_ONLY"');
  });

  it('move to a new subnet, made before the old one goes, when their range changes', () => {
    const subnet = resource(mod, 'google_compute_subnetwork', 'function');
    expect(expression(subnet.name)).toBe('local.function_subnet_name');
    expect(block(subnet, 'lifecycle').create_before_destroy).toBe(true);
    const service = block(resource(mod, 'google_cloudfunctions2_function', 'function'), 'service_config');
    const direct = block(block(asDynamic(service), 'direct_vpc_network_interface'), 'content');
    // Cloud Run takes the network by name, whatever form the input has.
    expect(expression(direct.network)).toBe('local.network_name');
    expect(expression(direct.subnetwork)).toBe('direct_vpc_network_interface.value.name');
  });

  it('turn Private Google Access on by default where the module manages the subnet', () => {
    const subnet = resource(mod, 'google_compute_subnetwork', 'function');
    expect(expression(subnet.private_ip_google_access)).toBe('var.private_google_access');
    expect(mod.variables.private_google_access?.default).toBe(true);
  });
});

function asDynamic(body: Block): Block {
  return body.dynamic as Block;
}
