// In-process parallel gzip: independent members in input order, one .gz the real gunzip reads, errors as stream errors.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { GzipMembers } from '../../../../agent/pipeline/gzip-members.js';
import { runTool } from '../../../helpers/stand-in-tools.js';
import { sampleDump } from './sample-dump.js';

/** Feeds `input` in uneven pieces, as a pipe delivers it, and collects what comes out. */
async function gzipInPieces(members: GzipMembers, input: Buffer, piece = 10_007): Promise<Buffer> {
  const pieces = Array.from({ length: Math.ceil(input.length / piece) }, (_, at) =>
    input.subarray(at * piece, (at + 1) * piece),
  );
  const [output] = await Promise.all([buffer(members), pipeline(Readable.from(pieces), members)]);
  return output;
}

async function realGunzip(gz: Buffer): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'members-'));
  try {
    const file = join(dir, 'dump.sql.gz');
    await writeFile(file, gz);
    await runTool('gzip', ['-t', file]);
    return await runTool('gunzip', ['-c', file]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('GzipMembers', () => {
  it('writes one gzip member per block, in input order, whatever order they finish in', async () => {
    const blockBytes = 64 * 1024;
    const input = sampleDump(20 * blockBytes + 1234);
    const output = await gzipInPieces(new GzipMembers({ level: 6, blockBytes, parallelism: 3 }), input);
    // A block closes at the first piece that fills it, so the members cover the input piece by piece.
    const expected: Buffer[] = [];
    let start = 0;
    for (let end = 10_007; start < input.length; end += 10_007) {
      if (end - start >= blockBytes || end >= input.length) {
        expected.push(gzipSync(input.subarray(start, end), { level: 6 }));
        start = end;
      }
    }
    expect(expected.length).toBeGreaterThan(15);
    expect(output.equals(Buffer.concat(expected))).toBe(true);
  });

  it('gives a .gz that gzip -t accepts and gunzip restores byte for byte', async () => {
    const input = sampleDump(5 * 1024 * 1024 + 17);
    const output = await gzipInPieces(new GzipMembers({ level: 1 }), input, 65_536);
    expect(output.length).toBeLessThan(input.length / 3);
    expect(await realGunzip(output)).toBe(input.toString('utf8'));
  });

  it('gives a valid empty .gz for an empty input, not zero bytes', async () => {
    const output = await gzipInPieces(new GzipMembers({ level: 6 }), Buffer.alloc(0));
    expect(output.length).toBeGreaterThan(0);
    expect(await realGunzip(output)).toBe('');
  });

  it('reports a deflate failure as an error of the stream', async () => {
    const members = new GzipMembers({ level: 42, blockBytes: 1024 });
    await expect(gzipInPieces(members, sampleDump(64 * 1024))).rejects.toThrow(/level/);
  });
});
