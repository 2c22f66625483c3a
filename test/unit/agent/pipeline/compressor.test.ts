// Which gzip runs: pigz when PATH or the config has it, in-process members otherwise — each
// giving a .gz that the real gunzip and gzip -t accept.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { type Compressor, startCompressor } from '../../../../agent/pipeline/compressor.js';
import { runTool } from '../../../helpers/stand-in-tools.js';
import { sampleDump } from './sample-dump.js';

async function compress(compressor: Compressor, input: Buffer): Promise<Buffer> {
  const output = buffer(compressor.output);
  compressor.input.end(input);
  return output;
}

/** The real gzip tools, not zlib: what an administrator restoring by hand would run. */
async function expectValidGzip(gz: Buffer, original: Buffer): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'gz-check-'));
  try {
    const file = join(dir, 'dump.sql.gz');
    await writeFile(file, gz);
    await runTool('gzip', ['-t', file]);
    const restored = await runTool('gunzip', ['-c', file]);
    expect(restored.length).toBe(original.length);
    expect(restored === original.toString('utf8')).toBe(true);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('startCompressor for gzip', () => {
  const dump = sampleDump(3 * 1024 * 1024);

  it('runs pigz when PATH has it', async () => {
    const compressor = startCompressor(
      { algorithm: 'gzip', level: 6 },
      { zstdPath: 'zstd', pigzPath: 'pigz' },
    );
    expect(compressor.label).toBe('pigz');
    expect(compressor.tool?.child.spawnfile).toBe('/usr/bin/pigz');
    await expectValidGzip(await compress(compressor, dump), dump);
    expect(await compressor.tool?.closed).toBe(0);
  });

  it('gzips in-process, without a child, when there is no pigz', async () => {
    const compressor = startCompressor(
      { algorithm: 'gzip', level: 6 },
      { zstdPath: 'zstd', pigzPath: 'no-such-pigz' },
    );
    expect(compressor.tool).toBeUndefined();
    expect(compressor.label).toBe('gzip');
    await expectValidGzip(await compress(compressor, dump), dump);
  });
});
