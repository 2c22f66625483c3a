// The function's zip (terraform/scripts/zip-source.py): the same content gives the same bytes whatever the files'
// times, modes and creation order, so the module's content-named object changes only with the source.
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unavailable } from '../../helpers/provisioned.js';
import { moduleDir } from './hcl.js';

const SCRIPT = join(moduleDir, 'scripts', 'zip-source.py');

const FILES: Record<string, string> = {
  'package.json': '{"name":"f"}\n',
  'dist/index.js': 'export {};\n',
  'dist/b/z.js': 'z\n',
  'dist/a.js': 'a\n',
};

let work: string;

/** Writes FILES under a new folder in the given order, each with the given time and mode. */
async function lay(name: string, order: string[], time: Date, mode: number): Promise<string> {
  const dir = join(work, name);
  for (const path of order) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), FILES[path] ?? '');
    await chmod(join(dir, path), mode);
    await utimes(join(dir, path), time, time);
  }
  return dir;
}

function zip(cwd: string, ...paths: string[]) {
  const result = spawnSync('python3', [SCRIPT, 'out.zip', ...paths], { cwd, encoding: 'utf8' });
  return { code: result.status, stderr: result.stderr };
}

/** Each entry as Python's own zipfile reads it back. */
function entries(
  file: string,
): { name: string; time: number[]; mode: number; method: number; text: string }[] {
  const read = spawnSync(
    'python3',
    [
      '-c',
      `import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
print(json.dumps([{"name": i.filename, "time": i.date_time, "mode": i.external_attr >> 16,
  "method": i.compress_type, "text": z.read(i).decode()} for i in z.infolist()]))`,
      file,
    ],
    { encoding: 'utf8' },
  );
  return JSON.parse(read.stdout);
}

describe.skipIf(unavailable('python3') !== undefined)('the function source zip', () => {
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'zip-source-'));
  });
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('is the same, byte for byte, from files of other times, modes and creation order', async () => {
    const names = Object.keys(FILES);
    const first = await lay('first', names, new Date('2024-03-01T10:00:00Z'), 0o644);
    const second = await lay('second', names.toReversed(), new Date('2026-11-30T23:59:58Z'), 0o755);
    expect(zip(first, 'package.json', 'dist').code).toBe(0);
    expect(zip(second, 'package.json', 'dist').code).toBe(0);
    const bytes = await readFile(join(first, 'out.zip'));
    expect(bytes.equals(await readFile(join(second, 'out.zip')))).toBe(true);

    await writeFile(join(second, 'dist', 'a.js'), 'changed\n');
    expect(zip(second, 'package.json', 'dist').code).toBe(0);
    expect(bytes.equals(await readFile(join(second, 'out.zip')))).toBe(false);
  });

  it('holds every file under its relative path, sorted, with one fixed time and mode, stored', async () => {
    const dir = await lay('listed', Object.keys(FILES), new Date(), 0o700);
    expect(zip(dir, 'package.json', 'dist').code).toBe(0);
    const listed = entries(join(dir, 'out.zip'));
    expect(listed.map((entry) => entry.name)).toEqual(Object.keys(FILES).sort());
    for (const entry of listed) {
      expect(entry).toMatchObject({ time: [1980, 1, 1, 0, 0, 0], mode: 0o100644, method: 0 });
      expect(entry.text).toBe(FILES[entry.name]);
    }
  });

  it('refuses a path that is missing, naming it, and leaves no zip behind', async () => {
    const dir = await lay('missing', Object.keys(FILES), new Date(), 0o644);
    const result = zip(dir, 'package.json', 'dist', 'package-lock.json');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('package-lock.json is neither a file nor a folder');
    expect((await readdir(dir)).filter((name) => name.startsWith('out.zip'))).toEqual([]);
  });
});
