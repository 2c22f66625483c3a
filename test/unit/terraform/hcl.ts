// Reads the Terraform module as data (HCL parsed to JSON by HashiCorp's own parser) for the tests beside it.
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Loaded through require so that the package's typings, which pull the DOM library into the whole program,
// stay out of the project's type check.
const require = createRequire(import.meta.url);
const { parse } = require('@cdktf/hcl2json') as {
  parse: (filename: string, contents: string) => Promise<Record<string, unknown>>;
};

export type Block = Record<string, unknown>;

export const moduleDir = fileURLToPath(new URL('../../../terraform/', import.meta.url));
export const exampleDir = join(moduleDir, 'examples/basic/');

export interface TerraformModule {
  readonly dir: string;
  readonly variables: Record<string, Block>;
  readonly locals: Record<string, unknown>;
  readonly outputs: Record<string, Block>;
  readonly moduleCalls: Record<string, Block>;
  /** Resources by type, then by name. */
  readonly resources: Record<string, Record<string, Block>>;
  /** Data sources by type, then by name. */
  readonly data: Record<string, Record<string, Block>>;
  /** The terraform block: the Terraform version and the providers (by local name) the module requires. */
  readonly settings: { requiredVersion?: string; requiredProviders: Record<string, Block> };
}

export async function loadModule(dir: string = moduleDir): Promise<TerraformModule> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.tf')).sort();
  const mod: TerraformModule = {
    dir,
    variables: {},
    locals: {},
    outputs: {},
    moduleCalls: {},
    resources: {},
    data: {},
    settings: { requiredProviders: {} },
  };
  for (const name of names) {
    const doc = await parse(name, await readFile(join(dir, name), 'utf8'));
    mergeSingles(mod.variables, doc.variable, `variable in ${name}`);
    mergeSingles(mod.outputs, doc.output, `output in ${name}`);
    mergeSingles(mod.moduleCalls, doc.module, `module in ${name}`);
    for (const locals of asArray(doc.locals ?? [])) Object.assign(mod.locals, locals);
    for (const settings of asArray(doc.terraform ?? []).map(asObject)) {
      if (typeof settings.required_version === 'string')
        mod.settings.requiredVersion = settings.required_version;
      for (const providers of asArray(settings.required_providers ?? []))
        Object.assign(mod.settings.requiredProviders, asObject(providers));
    }
    for (const [kind, into] of [
      ['resource', mod.resources],
      ['data', mod.data],
    ] as const) {
      for (const [type, byName] of Object.entries(asObject(doc[kind] ?? {}))) {
        into[type] ??= {};
        mergeSingles(into[type], byName, `${kind} ${type} in ${name}`);
      }
    }
  }
  return mod;
}

/** Blocks come as `{ name: [body] }`; each name must appear once across the module. */
function mergeSingles(into: Record<string, Block>, value: unknown, what: string): void {
  for (const [key, bodies] of Object.entries(asObject(value ?? {}))) {
    if (key in into) throw new Error(`duplicate ${what}: ${key}`);
    into[key] = only(bodies, `${what} ${key}`);
  }
}

export function resource(mod: TerraformModule, type: string, name: string): Block {
  const found = mod.resources[type]?.[name];
  if (!found) throw new Error(`no resource ${type}.${name}`);
  return found;
}

/** The one nested block `name` of `body` (HCL blocks parse to arrays of bodies). */
export function block(body: Block, name: string): Block {
  return only(body[name], `block ${name}`);
}

/** The nested blocks `name` of `body`, none if absent. */
export function blocks(body: Block, name: string): Block[] {
  return asArray(body[name] ?? []).map((item) => asObject(item));
}

/** The Terraform expression inside `${…}`, or undefined for a literal. */
export function expression(value: unknown): string | undefined {
  return typeof value === 'string' ? /^\$\{([\s\S]*)\}$/.exec(value)?.[1] : undefined;
}

/** The local a value refers to as a whole (`${local.name}`). */
export function localOf(mod: TerraformModule, value: unknown): unknown {
  const name = /^local\.(\w+)$/.exec(expression(value) ?? '')?.[1];
  if (!name || !(name in mod.locals)) throw new Error(`not a reference to a local: ${String(value)}`);
  return mod.locals[name];
}

/** Every string anywhere in a parsed value: literals and expression texts alike. */
export function allStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(allStrings);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(allStrings);
  return [];
}

/** The quoted string literals in an expression, e.g. the roles in `toset(["roles/a", "roles/b"])`. */
export function quotedStrings(text: string): string[] {
  return [...text.matchAll(/"([^"\\]*)"/g)].map((match) => match[1] ?? '');
}

export function asObject(value: unknown): Block {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`expected an object, got ${JSON.stringify(value)}`);
  }
  return value as Block;
}

function asArray(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new Error(`expected a list, got ${JSON.stringify(value)}`);
  return value;
}

function only(value: unknown, what: string): Block {
  const items = asArray(value);
  if (items.length !== 1) throw new Error(`expected one ${what}, found ${items.length}`);
  return asObject(items[0]);
}

/** `value` with every whole-expression string `${…}` replaced by its expression text, for plain comparisons. */
export function unwrap(value: unknown): unknown {
  if (typeof value === 'string') return expression(value) ?? value;
  if (Array.isArray(value)) return value.map(unwrap);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, unwrap(item)]));
  }
  return value;
}
