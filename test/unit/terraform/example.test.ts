// examples/basic calls the module as a user would: from its source, with every required input and no other.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Block, exampleDir, loadModule, moduleDir, type TerraformModule } from './hcl.js';

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

  it('asks for the same providers and Terraform as the module', async () => {
    const versions = await readFile(join(moduleDir, 'versions.tf'), 'utf8');
    const example = await readFile(join(exampleDir, 'main.tf'), 'utf8');
    const constraint = (text: string, name: string) =>
      new RegExp(`${name}\\s*=\\s*\\{[^}]*version\\s*=\\s*"([^"]+)"`).exec(text)?.[1];
    for (const provider of ['google', 'archive']) {
      expect(constraint(versions, provider), provider).toMatch(/^>=/);
      expect(constraint(example, provider), provider).toBe(constraint(versions, provider));
    }
    const required = (text: string) => /required_version\s*=\s*"([^"]+)"/.exec(text)?.[1];
    expect(required(versions)).toMatch(/^>=/);
    expect(required(example)).toBe(required(versions));
  });
});
