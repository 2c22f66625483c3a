// Conformance of the emulator with `gcloud storage`, the Cloud SDK's client, through a throwaway configuration.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../../emulator/index.js';
import { type Gcloud, gcloudFor, gcloudMissingReason } from '../../helpers/gcloud.js';
import { bytes, fingerprint, storageFor, uniqueBucket } from './client.js';

const missing = gcloudMissingReason();
if (missing) console.warn(missing);

// gcloud takes seconds per command (more on a loaded machine), so each test covers a whole round trip and gets
// two minutes for its five commands.
describe.skipIf(missing !== undefined)('gcloud storage', { timeout: 120_000 }, () => {
  let emulator: RunningEmulator;
  let gcloud: Gcloud;
  let folder: string;
  let bucket: string;

  beforeAll(async () => {
    emulator = await startEmulator();
    gcloud = await gcloudFor(emulator.url);
    folder = await mkdtemp(join(tmpdir(), 'gcloud-files-'));
    bucket = uniqueBucket();
    await storageFor(emulator.url).createBucket(bucket);
  });

  afterAll(async () => {
    await gcloud?.dispose();
    await emulator?.close();
    await rm(folder, { recursive: true, force: true });
  });

  async function gcloudOk(args: string[], input?: string): Promise<string> {
    const result = await gcloud.run(args, input);
    expect(result.stderr.includes('ERROR') ? result.stderr : '').toBe('');
    expect(result.code).toBe(0);
    return result.stdout;
  }

  it('copies a file up and down, small (multipart) and large (resumable)', async () => {
    const small = join(folder, 'small.txt');
    const large = join(folder, 'large.bin');
    await writeFile(small, 'hello from gcloud\n');
    await writeFile(large, bytes(9 * 1024 * 1024, 21));
    await gcloudOk(['storage', 'cp', small, large, `gs://${bucket}/up/`]);
    const back = join(folder, 'back');
    await gcloudOk(['storage', 'cp', `gs://${bucket}/up/large.bin`, back]);
    expect(fingerprint(await readFile(back))).toEqual(fingerprint(await readFile(large)));
    const object = storageFor(emulator.url).bucket(bucket).file('up/small.txt');
    expect((await object.download())[0].toString()).toBe('hello from gcloud\n');
  });

  it('streams from stdin, then lists, cats and removes', async () => {
    await gcloudOk(['storage', 'cp', '-', `gs://${bucket}/stdin.txt`], 'streamed through stdin\n');
    const listing = await gcloudOk(['storage', 'ls', '-l', `gs://${bucket}/stdin.txt`]);
    expect(listing).toMatch(/\s23\s+\S+\s+gs:\/\/[^/]+\/stdin\.txt/);
    expect(await gcloudOk(['storage', 'cat', `gs://${bucket}/stdin.txt`])).toBe('streamed through stdin\n');
    await gcloudOk(['storage', 'rm', `gs://${bucket}/stdin.txt`]);
    const gone = await gcloud.run(['storage', 'ls', `gs://${bucket}/stdin.txt`]);
    expect(gone.code).not.toBe(0);
  });
  it('lists every generation with ls -a, and the live one alone without', async () => {
    const [versioned] = await storageFor(emulator.url).createBucket(uniqueBucket(), {
      versioning: { enabled: true },
    });
    const url = `gs://${versioned.name}/versioned.txt`;
    await gcloudOk(['storage', 'cp', '-', url], 'first\n');
    await gcloudOk(['storage', 'cp', '-', url], 'second\n');
    const all = (await gcloudOk(['storage', 'ls', '-a', url])).trim().split('\n');
    expect(all).toHaveLength(2);
    for (const line of all) expect(line).toMatch(/^gs:\/\/[^/]+\/versioned\.txt#\d+$/);
    expect((await gcloudOk(['storage', 'ls', url])).trim()).toBe(url);
  });

  it('moves customTime forward with objects update and reports the refusal of a move back', async () => {
    const url = `gs://${bucket}/timed.txt`;
    await gcloudOk(['storage', 'cp', '-', url], 'timed\n');
    await gcloudOk(['storage', 'objects', 'update', url, '--custom-time=2030-06-01T00:00:00Z']);
    const back = await gcloud.run([
      'storage',
      'objects',
      'update',
      url,
      '--custom-time=2030-01-01T00:00:00Z',
    ]);
    expect(back.code).not.toBe(0);
    expect(back.stderr).toContain('Custom time cannot be decreased');
    const cleared = await gcloud.run(['storage', 'objects', 'update', url, '--clear-custom-time']);
    expect(cleared.code).not.toBe(0);
    const described = await gcloudOk(['storage', 'objects', 'describe', url, '--format=value(custom_time)']);
    expect(new Date(described.trim()).toISOString()).toBe('2030-06-01T00:00:00.000Z');
  });
  it('sets a lifecycle file and a retention period, describes both, and cannot remove a retained object', async () => {
    const own = uniqueBucket();
    await storageFor(emulator.url).createBucket(own);
    const rules = join(folder, 'lifecycle.json');
    const rule = {
      action: { type: 'Delete' },
      condition: { daysSinceCustomTime: 0, matchesPrefix: ['db/'] },
    };
    await writeFile(rules, JSON.stringify({ rule: [rule] }));
    await gcloudOk([
      'storage',
      'buckets',
      'update',
      `gs://${own}`,
      `--lifecycle-file=${rules}`,
      '--retention-period=1d',
    ]);
    const described = JSON.parse(
      await gcloudOk(['storage', 'buckets', 'describe', `gs://${own}`, '--format=json']),
    );
    expect(described.lifecycle_config.rule).toEqual([rule]);
    expect(described.retention_policy.retentionPeriod).toBe('86400');
    await gcloudOk(['storage', 'cp', '-', `gs://${own}/db/kept.txt`], 'kept\n');
    const removed = await gcloud.run(['storage', 'rm', `gs://${own}/db/kept.txt`]);
    expect(removed.code).not.toBe(0);
    expect(await gcloudOk(['storage', 'cat', `gs://${own}/db/kept.txt`])).toBe('kept\n');
  });
});
