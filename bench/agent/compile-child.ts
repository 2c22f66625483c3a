// Compiles the backup child (and the agent code it imports) to plain JavaScript, so its process runs as the
// deployed agent does — under node, without a TypeScript loader inflating its memory.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runTool } from '../../test/helpers/stand-in-tools.js';

// Inside node_modules so the compiled files resolve the repository's packages; the cache folder is the usual place.
const OUT_DIR = join('node_modules', '.cache', 'agent-bench');

/** Returns the path of the compiled child, ready for `node <path>`. */
export async function compileBackupChild(): Promise<string> {
  await runTool('npx', [
    'tsc',
    'bench/agent/backup-child.ts',
    '--outDir',
    OUT_DIR,
    '--rootDir',
    '.',
    '--module',
    'NodeNext',
    '--moduleResolution',
    'NodeNext',
    '--target',
    'ES2022',
    // As tsconfig.json: Node's own fetch types, not the DOM's, which refuse a Buffer as a request body.
    '--lib',
    'ES2023',
    '--types',
    'node',
    '--skipLibCheck',
    '--strict',
  ]);
  // Package scope lookups stop at node_modules: the compiled files need their own "type": "module".
  await mkdir(OUT_DIR, { recursive: true });
  await writeFile(join(OUT_DIR, 'package.json'), '{ "type": "module" }\n');
  return join(OUT_DIR, 'bench', 'agent', 'backup-child.js');
}
