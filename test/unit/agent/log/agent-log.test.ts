import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgentLog, LOG_FILE_NAME } from '../../../../agent/log/agent-log.js';
import { createRedactor } from '../../../../agent/log/redact.js';
import type { SyslogPriority } from '../../../../agent/log/syslog.js';

describe('createAgentLog', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'agent-log-'));
  });
  afterEach(async () => {
    await chmod(dir, 0o700).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  });

  it('writes one redacted JSON line per event, time, level and event first, with safe permissions', async () => {
    const sent: [SyslogPriority, string][] = [];
    const logDir = join(dir, 'log');
    const log = createAgentLog({
      dir: logDir,
      redact: createRedactor(['pa55word']).redact,
      syslog: (priority, line) => sent.push([priority, line]),
      now: () => new Date('2025-03-01T02:00:00.000Z'),
    });
    log.info('job.started', 'backup of app started', { jobId: 'j1', targetId: 'app', errorCode: undefined });
    log.error('job.failed', 'dump said pa55word', {
      targetId: 'app',
      errorCode: 'DUMP_FAILED',
      stderrTail: ['pa55word'],
    });

    const lines = (await readFile(join(logDir, LOG_FILE_NAME), 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(
      '{"time":"2025-03-01T02:00:00.000Z","level":"info","event":"job.started","message":"backup of app started","jobId":"j1","targetId":"app"}',
    );
    expect(JSON.parse(lines[1] ?? '')).toMatchObject({
      level: 'error',
      message: 'dump said [REDACTED]',
      errorCode: 'DUMP_FAILED',
      stderrTail: ['[REDACTED]'],
    });
    expect(sent.map(([priority]) => priority)).toEqual(['info', 'err']);
    expect(sent[1]?.[1]).toBe(lines[1]);
    expect((await stat(logDir)).mode & 0o777).toBe(0o750);
    expect((await stat(join(logDir, LOG_FILE_NAME))).mode & 0o777).toBe(0o640);
  });

  it('reports an unwritable log folder once and carries on', async () => {
    const failures: string[] = [];
    const sent: string[] = [];
    const log = createAgentLog({
      dir,
      redact: createRedactor().redact,
      syslog: (_, line) => sent.push(line),
      reportFailure: (message) => failures.push(message),
    });
    await rm(dir, { recursive: true, force: true });
    log.error('job.failed', 'one');
    log.error('job.failed', 'two');
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/cannot write/);
    expect(sent).toHaveLength(2);
  });
});
