// The compressor process as the request asks: pigz for gzip, giving a .gz that the real gunzip and gzip -t accept,
// and zstd at the chosen level on every core.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { type Compressor, compressorFor } from '../../../../agent/pipeline/compressor.js';
import { spawnTool } from '../../../../agent/pipeline/spawn-tool.js';
import { runTool } from '../../../helpers/stand-in-tools.js';
import { sampleDump } from './sample-dump.js';

const TOOLS = { zstdPath: 'zstd', pigzPath: 'pigz' };

/** Runs the compressor as the backup does, its input on stdin; resolves with its output and exit code. */
async function compress(
  { command }: Compressor,
  input: Buffer,
): Promise<{ output: Buffer; exit: number | null }> {
  const tool = spawnTool(command, { stdin: 'pipe' });
  const output = buffer(tool.child.stdout as NodeJS.ReadableStream);
  tool.child.stdin?.end(input);
  return { output: await output, exit: await tool.closed };
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

describe('compressorFor', () => {
  const dump = sampleDump(3 * 1024 * 1024);

  it('runs pigz for gzip, and its output is one valid .gz', async () => {
    const compressor = compressorFor({ algorithm: 'gzip', level: 6 }, TOOLS);
    expect(compressor.tool).toBe('pigz');
    expect(compressor.command).toMatchObject({ file: 'pigz', args: ['-q', '-6', '-c'] });
    const { output, exit } = await compress(compressor, dump);
    expect(exit).toBe(0);
    await expectValidGzip(output, dump);
  });

  it('runs zstd at the chosen level with a worker per core', async () => {
    const compressor = compressorFor({ algorithm: 'zstd', level: 9 }, TOOLS);
    expect(compressor.tool).toBe('zstd');
    expect(compressor.command).toMatchObject({ file: 'zstd', args: ['-q', '-9', '-T0', '-c', '-'] });
    const { output, exit } = await compress(compressor, dump);
    expect(exit).toBe(0);
    expect(Buffer.from(await runTool('zstd', ['-d', '-c'], { input: output }))).toEqual(dump);
  });
});
