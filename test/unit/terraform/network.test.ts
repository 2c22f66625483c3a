// The functions reach the agent through the VPC connector, and the firewall admits that range alone.
import { beforeAll, describe, expect, it } from 'vitest';
import { type Block, block, expression, loadModule, resource, type TerraformModule, unwrap } from './hcl.js';

let mod: TerraformModule;
let firewall: Block;

beforeAll(async () => {
  mod = await loadModule();
  firewall = resource(mod, 'google_compute_firewall', 'function_to_agent');
});

describe('firewall rule to the agent', () => {
  it('admits only the connector range, to the agent port, on VMs with the agent tag', () => {
    expect(firewall.direction).toBe('INGRESS');
    expect(unwrap(firewall.source_ranges)).toEqual(['var.connector_cidr']);
    expect(firewall.source_tags).toBeUndefined();
    expect(unwrap(firewall.target_tags)).toEqual(['var.agent_network_tag']);
    expect(unwrap(block(firewall, 'allow'))).toEqual({
      protocol: 'tcp',
      ports: ['tostring(var.agent_port)'],
    });
    expect(mod.variables.agent_port?.default).toBe(8443);
  });

  it('is the only firewall rule of the module', () => {
    expect(Object.keys(mod.resources.google_compute_firewall ?? {})).toEqual(['function_to_agent']);
  });

  it('matches the range the connector sends from', () => {
    const connector = resource(mod, 'google_vpc_access_connector', 'function');
    expect(expression(connector.ip_cidr_range)).toBe('var.connector_cidr');
    expect(connector.network).toBe(firewall.network);
  });
});
