import { describe, expect, it } from 'vitest';
import { buildAlert } from '../../../../functions/alerts/message.js';
import { type RunReport, summarise } from '../../../../functions/run/report.js';

const context = { from: 'backups@example.com', to: ['admin@example.com'], project: 'acme-prod' };

function backupReport(targets: RunReport['targets']): RunReport {
  return summarise({
    kind: 'backup',
    runId: 'run-1234',
    date: '20250301',
    startedAt: '2025-03-01T02:00:00.000Z',
    finishedAt: '2025-03-01T02:05:00.000Z',
    targets,
  });
}

const base = { engine: 'mysql' as const };

describe('buildAlert', () => {
  it('is null when nothing failed', () => {
    const report = backupReport([
      { ...base, targetId: 'a', database: 'A', objectName: 'A_20250301.sql.gz', outcome: 'succeeded' },
      { ...base, targetId: 'b', database: 'B', objectName: 'B_20250301.sql.gz', outcome: 'exists' },
      { ...base, targetId: 'c', database: 'C', objectName: 'C_20250301.sql.gz', outcome: 'running' },
    ]);
    expect(buildAlert(report, context)).toBeNull();
  });

  it('names the failed databases and the date, gives every outcome, the error, the stderr tail, the run and its logs', () => {
    const report = backupReport([
      {
        ...base,
        targetId: 'ok',
        database: 'Ok',
        objectName: 'Ok_20250301.sql.gz',
        outcome: 'succeeded',
        bytes: 42,
      },
      {
        ...base,
        targetId: 'hospital',
        database: 'HospitalDB',
        objectName: 'HospitalDB_20250301.sql.gz',
        outcome: 'failed',
        jobId: 'job-9',
        error: {
          code: 'DUMP_FAILED',
          message: 'mysqldump exited 2',
          stderrTail: ['mysqldump: Got error: 1045'],
        },
      },
      { ...base, targetId: 'app', database: 'app', objectName: 'app_20250301.sql.gz', outcome: 'skipped' },
    ]);
    const alert = buildAlert(report, context);
    expect(alert?.subject).toBe('Backup failed: HospitalDB (2025-03-01)');
    expect(alert?.to).toEqual(['admin@example.com']);
    const text = alert?.text ?? '';
    expect(text).toContain('Run id:  run-1234');
    expect(text).toContain('- ok (database Ok, mysql): SUCCEEDED');
    expect(text).toContain('- hospital (database HospitalDB, mysql): FAILED');
    expect(text).toContain('error DUMP_FAILED: mysqldump exited 2');
    expect(text).toContain('| mysqldump: Got error: 1045');
    expect(text).toContain('agent job: job-9');
    expect(text).toContain('Skipped (not attempted after the failure): app.');
    expect(text).toContain(
      'https://console.cloud.google.com/logs/query;query=labels.runId%3D%22run-1234%22?project=acme-prod',
    );
  });

  it('words a watchdog alert as a check', () => {
    const report = summarise({
      kind: 'verify',
      runId: 'v-1',
      date: '20250301',
      startedAt: '2025-03-01T08:00:00.000Z',
      finishedAt: '2025-03-01T08:00:01.000Z',
      targets: [
        { ...base, targetId: 'a', database: 'A', objectName: 'A_20250301.sql.gz', outcome: 'stuck' },
        { ...base, targetId: 'b', database: 'B', objectName: 'B_20250301.sql.gz', outcome: 'missing' },
      ],
    });
    const alert = buildAlert(report, context);
    expect(alert?.subject).toBe('Backup check failed: A, B (2025-03-01)');
    expect(alert?.text).toContain("The check of 2025-03-01's backups found a problem with: A, B.");
    expect(alert?.text).toContain('Nothing was skipped.');
  });
});
