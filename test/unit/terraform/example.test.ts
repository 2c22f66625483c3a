// examples/basic calls the module as a user would: from its source, with every required input and no other, for the
// system the product is for (two database VMs), consistent with the agents' example configurations, passing on
// every output the guide reads.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Block, exampleDir, expression, loadModule, moduleDir, type TerraformModule } from './hcl.js';

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

  it('backs up a MySQL and a MongoDB database, each on a VM of its own, through the agents it lists', () => {
    const targets = call.targets as Block[];
    expect(targets.map((target) => [target.id, target.engine])).toEqual([
      ['HospitalDB', 'mysql'],
      ['MDBackoffice', 'mongodb'],
    ]);
    const agents = (call.agents as Block[]).map((agent) => agent.url);
    expect(targets.filter((target) => !agents.includes(target.agentUrl))).toEqual([]);
    expect(new Set(targets.map((target) => target.agentUrl)).size).toBe(2);
  });

  it.each(['mysql', 'mongodb'])(
    "agrees with agent/deploy/agent.%s.example.json: the agent's url, its targets' ids, the key id, the bucket",
    async (engine) => {
      const agentJson = JSON.parse(
        await readFile(join(moduleDir, '..', 'agent', 'deploy', `agent.${engine}.example.json`), 'utf8'),
      );
      const url = agentJson.publicUrl as string;
      expect((call.agents as Block[]).map((agent) => agent.url)).toContain(url);
      expect(`http://${agentJson.listen.host}:${agentJson.listen.port}`).toBe(url);
      const mine = (call.targets as Block[]).filter((target) => target.agentUrl === url);
      expect(agentJson.targets.map((target: Block) => [target.id, target.engine, target.database])).toEqual(
        mine.map((target) => [target.id, target.engine, target.database]),
      );
      expect(Object.keys(agentJson.trustedKeys)).toEqual([call.signing_key_id]);
      // The bucket the example names after the project of terraform.tfvars.example.
      const tfvars = await readFile(join(exampleDir, 'terraform.tfvars.example'), 'utf8');
      const project = /project_id\s*=\s*"([^"]+)"/.exec(tfvars)?.[1];
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an HCL interpolation in the example, replaced as written.
      expect(String(call.bucket_name).replace('${var.project_id}', String(project))).toBe(
        agentJson.uploads.buckets[0],
      );
    },
  );

  it('passes on every output of the module, under its own name', async () => {
    const example = await loadModule(exampleDir);
    expect(Object.keys(example.outputs).sort()).toEqual(Object.keys(mod.outputs).sort());
    for (const [name, output] of Object.entries(example.outputs))
      expect(expression(output.value), name).toBe(`module.db_backup.${name}`);
  });

  it('passes on every output the guides read with terraform output', async () => {
    const example = await loadModule(exampleDir);
    const guides = await Promise.all(
      ['terraform/README.md', 'README.md', 'agent/deploy/README.md'].map((file) =>
        readFile(join(moduleDir, '..', file), 'utf8'),
      ),
    );
    const read = [...guides.join('\n').matchAll(/terraform output (?:-(?:raw|json) )?([a-z_]+)/g)].map(
      (m) => m[1],
    );
    expect(read.length).toBeGreaterThan(5);
    expect(read.filter((name) => !(String(name) in example.outputs))).toEqual([]);
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
