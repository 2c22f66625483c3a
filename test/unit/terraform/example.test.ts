// examples/basic calls the module as a user would: from its source, with every required input and no other.
import { beforeAll, describe, expect, it } from 'vitest';
import { type Block, exampleDir, loadModule, type TerraformModule } from './hcl.js';

/** Arguments every module call may carry that are not variables. */
const META_ARGUMENTS = ['source', 'version', 'providers', 'depends_on', 'count', 'for_each'];

let mod: TerraformModule;
let call: Block;

beforeAll(async () => {
  mod = await loadModule();
  const example = await loadModule(exampleDir);
  const calls = Object.values(example.moduleCalls);
  expect(calls).toHaveLength(1);
  call = calls[0] ?? {};
});

describe('examples/basic', () => {
  it('uses the module from its folder', () => {
    expect(call.source).toBe('../..');
  });

  it('sets every required input', () => {
    const required = Object.entries(mod.variables)
      .filter(([, variable]) => !('default' in variable))
      .map(([name]) => name);
    expect(required.length).toBeGreaterThan(0);
    expect(required.filter((name) => !(name in call))).toEqual([]);
  });

  it('sets nothing the module does not declare', () => {
    const unknown = Object.keys(call).filter(
      (key) => !META_ARGUMENTS.includes(key) && !(key in mod.variables),
    );
    expect(unknown).toEqual([]);
  });

  it('backs up a MySQL and a MongoDB database through the agent it lists', () => {
    const targets = call.targets as Block[];
    expect(targets.map((target) => target.engine).sort()).toEqual(['mongodb', 'mysql']);
    const agents = (call.agents as Block[]).map((agent) => agent.url);
    expect(targets.filter((target) => !agents.includes(target.agentUrl))).toEqual([]);
  });

  it('asks for the same Terraform and providers as the module, each from a lower bound', async () => {
    const example = await loadModule(exampleDir);
    const providers = Object.values(mod.settings.requiredProviders);
    expect(providers.length).toBeGreaterThan(0);
    for (const provider of providers) expect(provider.version, String(provider.source)).toMatch(/^>=/);
    expect(mod.settings.requiredVersion).toMatch(/^>=/);
    expect(example.settings).toEqual(mod.settings);
  });
});
