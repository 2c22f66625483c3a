// `npm run package:agent [-- --out DIR]`: builds the agent's release archive (default folder: release/).
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildRelease } from './build-release.js';

const root = resolve(import.meta.dirname, '..', '..');
const { values } = parseArgs({ options: { out: { type: 'string', default: join(root, 'release') } } });
const release = await buildRelease(root, resolve(String(values.out)));
process.stdout.write(
  [
    `${release.archive} (${(release.bytes / 1024).toFixed(0)} KiB)`,
    `sha256 ${release.sha256} (${release.archive}.sha256)`,
    `packages: ${release.packages.join(', ')}`,
    '',
  ].join('\n'),
);
