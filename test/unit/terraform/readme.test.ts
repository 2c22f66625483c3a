// The module README's Inputs and Outputs tables are the module's own variables and outputs, each with its
// description, so a new input or a changed description cannot leave the reader's table behind.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModule, moduleDir, type TerraformModule } from './hcl.js';

/** The rows of the table under `## <title>`: the name (first cell, in backticks) and the description (second). */
function tableRows(readme: string, title: string): Record<string, string> {
  const section = readme.split(`\n## ${title}\n`)[1]?.split('\n## ')[0] ?? '';
  const rows = section.split('\n').filter((line) => line.startsWith('| `'));
  return Object.fromEntries(
    rows.map((row) => {
      const cells = row.split(/(?<!\\)\|/).map((cell) => cell.trim().replaceAll('\\|', '|'));
      return [cells[1]?.replace(/`/g, '') ?? '', cells[2] ?? ''];
    }),
  );
}

let mod: TerraformModule;
let readme: string;

beforeAll(async () => {
  mod = await loadModule();
  readme = await readFile(join(moduleDir, 'README.md'), 'utf8');
});

describe('the module README', () => {
  it('lists every input, with its description', () => {
    const rows = tableRows(readme, 'Inputs');
    expect(Object.keys(rows).sort()).toEqual(Object.keys(mod.variables).sort());
    for (const [name, variable] of Object.entries(mod.variables))
      expect(rows[name], name).toBe(variable.description);
  });

  it('lists every output, with its description', () => {
    const rows = tableRows(readme, 'Outputs');
    expect(Object.keys(rows).sort()).toEqual(Object.keys(mod.outputs).sort());
    for (const [name, output] of Object.entries(mod.outputs))
      expect(rows[name], name).toBe(output.description);
  });
});
