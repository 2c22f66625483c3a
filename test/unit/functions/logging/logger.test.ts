// Cloud Logging's structured format: severity and the alerting mark from the event table, labels apart, reserved
// keys the payload cannot override, the request's trace, and an unexpected error's stack where Error Reporting looks.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EVENTS } from '../../../../functions/logging/events.js';
import { createCloudLogger } from '../../../../functions/logging/logger.js';

function capture() {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
  });
  return { stream, lines };
}

const NOW = new Date('2025-03-01T02:00:00.000Z');

describe('createCloudLogger', () => {
  it('writes one JSON line per entry, its severity and mark from the event table, and no logName', () => {
    const { stream, lines } = capture();
    const logger = createCloudLogger({ stream, project: 'acme-prod', now: () => NOW });
    logger.event('backup.failed', 'backup of HospitalDB failed', {
      runId: 'run-1',
      targetId: 'hospital',
      database: 'HospitalDB',
      object: 'HospitalDB_20250301.sql.gz',
      durationMs: 1200,
      errorCode: 'DUMP_FAILED',
      stderrTail: ['mysqldump: error'],
      jobId: undefined,
    });
    logger.event('backup.succeeded', 'done', { runId: 'run-2' });
    expect(lines[0]).toEqual({
      severity: 'ERROR',
      message: 'backup of HospitalDB failed',
      timestamp: NOW.toISOString(),
      event: 'backup.failed',
      alerting: true,
      'logging.googleapis.com/labels': { runId: 'run-1', targetId: 'hospital', database: 'HospitalDB' },
      object: 'HospitalDB_20250301.sql.gz',
      durationMs: 1200,
      errorCode: 'DUMP_FAILED',
      stderrTail: ['mysqldump: error'],
    });
    expect(lines[1]).toMatchObject({ severity: 'INFO', event: 'backup.succeeded' });
    expect(lines[1]).not.toHaveProperty('alerting');
  });

  it("lets no payload field override the entry's own fields or the special keys", () => {
    const { stream, lines } = capture();
    createCloudLogger({ stream, now: () => NOW }).event('run.finished', 'done', {
      severity: 'DEBUG',
      message: 'forged',
      timestamp: '1970-01-01T00:00:00Z',
      alerting: true,
      event: 'other',
      'logging.googleapis.com/trace': 'projects/x/traces/forged',
      counts: { succeeded: 2 },
    });
    expect(lines[0]).toEqual({
      severity: 'INFO',
      message: 'done',
      timestamp: NOW.toISOString(),
      event: 'run.finished',
      counts: { succeeded: 2 },
    });
  });

  it("ties entries to the request's trace from X-Cloud-Trace-Context", () => {
    const { stream, lines } = capture();
    const logger = createCloudLogger({ stream, project: 'acme-prod' });
    logger.withTrace('105445aa7843bc8bf206b12000100000/1;o=1').event('run.started', 'go');
    logger.withTrace('not a trace').event('run.started', 'go');
    expect(lines[0]).toMatchObject({
      'logging.googleapis.com/trace': 'projects/acme-prod/traces/105445aa7843bc8bf206b12000100000',
      'logging.googleapis.com/spanId': '1',
    });
    expect(lines[1]).not.toHaveProperty('logging.googleapis.com/trace');
  });

  it("logs an unexpected error's stack as stack_trace, at the event's severity", () => {
    const { stream, lines } = capture();
    createCloudLogger({ stream }).unexpected('request.failed', new TypeError('x is undefined'));
    expect(lines[0]).toMatchObject({ severity: 'ERROR', message: 'x is undefined', alerting: true });
    expect(String(lines[0]?.stack_trace)).toMatch(/^TypeError: x is undefined\n\s+at /);
  });
});

describe('the event table', () => {
  it('marks every event that means the admin must act, and only those', () => {
    const alerting = Object.entries(EVENTS)
      .filter(([, kind]) => kind.alerting)
      .map(([name]) => name)
      .sort();
    expect(alerting).toEqual([
      'alert.failed',
      'backup.failed',
      'backup.warning',
      'binlogs.failed',
      'chain.broken',
      'config.invalid',
      'object.unproven',
      'request.failed',
      'restore.failed',
      'restore.missing',
      'retention.hold-failed',
      'retention.target-failed',
      'verify.failed',
      'verify.interrupted',
      'verify.missing',
      'verify.stuck',
      'verify.warning',
    ]);
    for (const [name, kind] of Object.entries(EVENTS)) {
      if (kind.severity === 'ERROR' || kind.severity === 'CRITICAL') {
        expect([name, kind.alerting]).toEqual([
          name,
          ![
            'run.failed',
            'verify.found-problems',
            'retention.failed',
            'restore.found-problems',
            'binlogs.found-problems',
          ].includes(name),
        ]);
      }
    }
  });
});
