// Following a backup's tools (real processes): a failure stops what it must, the tools the agent stopped never take
// the blame for it, and a required tool that cannot start names its package.

import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../../../agent/log/redact.js';
import { BackupWatch } from '../../../../agent/pipeline/backup-watch.js';
import { spawnTool } from '../../../../agent/pipeline/spawn-tool.js';
import { StderrTail } from '../../../../agent/pipeline/stderr-tail.js';
import { STAGES, type StageKey } from '../../../../agent/pipeline/tool-chain.js';

const command = (file: string, args: string[]) => ({ file, args, env: {}, secretFiles: [] });

function watching(): BackupWatch {
  return new BackupWatch(new StderrTail(20, createRedactor().redact));
}

function sleeper(watch: BackupWatch, key: StageKey) {
  const tool = spawnTool(command('sleep', ['30']));
  watch.watch({ key, label: `sleep-${key}`, tool });
  return tool;
}

describe('BackupWatch', () => {
  it('stops the tools upstream of a failed one, and their deaths never displace its failure', async () => {
    const watch = watching();
    const dump = sleeper(watch, 'dump');
    const count = sleeper(watch, 'count');
    const compress = sleeper(watch, 'compress');
    // The compressor's stream broke: a symptom, whose tool is left to end of itself.
    watch.fail({
      code: 'COMPRESS_FAILED',
      message: 'compression failed',
      tool: { at: STAGES.compress.at, symptom: true },
    });
    expect(watch.stop.signal.aborted).toBe(true);
    expect(watch.halt.signal.aborted).toBe(false);
    await Promise.all([dump.closed, count.closed]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(watch.exitCodes).toEqual({ dump: null, count: null, compress: null });
    expect(watch.failure?.message).toBe('compression failed');
    compress.kill(0);
    await watch.ended();
  });

  it('stops every tool for a failure that is no tool’s, which stays the cause', async () => {
    const watch = watching();
    for (const key of ['dump', 'count', 'compress'] as const) sleeper(watch, key);
    watch.fail({ code: 'UPLOAD_FAILED', message: 'the session refused the upload' });
    expect(watch.halt.signal.aborted).toBe(true);
    await watch.ended();
    expect(watch.exitCodes).toEqual({ dump: null, count: null, compress: null });
    expect(watch.failure).toEqual({ code: 'UPLOAD_FAILED', message: 'the session refused the upload' });
  });

  it('blames a required tool that cannot start, naming the package to install', async () => {
    const watch = watching();
    const tool = spawnTool(command('/nonexistent/zstd', []));
    expect(watch.watch({ key: 'compress', label: 'zstd', tool, requires: 'zstd' })).toBe(false);
    await watch.ended();
    expect(watch.failure?.code).toBe('COMPRESS_FAILED');
    expect(watch.failure?.message).toMatch(
      /^cannot start zstd: .*ENOENT — install the Debian package zstd \(apt-get install zstd\)$/,
    );
  });
});
