// `db-backup doctor` as people read it: one row per check of each agent and of the alerts, then each failure's fix
// in full (never cut to the terminal's width: it is what the admin types next). Report text is made printable here.
import type { DoctorReport } from '../functions/api.js';
import { table } from './format.js';
import { type Look, PLAIN } from './look.js';
import { printable } from './printable.js';

export function renderDoctor(report: DoctorReport, look: Look = PLAIN): string {
  const rows = report.checks.map((check) => [check.subject, check.check, check.outcome, check.detail]);
  const fixes = report.checks.flatMap((check) =>
    check.fix ? [printable(`  ${check.subject} ${check.check}: ${check.fix}`)] : [],
  );
  return [
    table(['agent', 'check', 'outcome', 'detail'], rows, look, { toned: [2], shrinks: 3 }),
    '',
    fixes.length === 0
      ? look.good('Every check passed: the path is ready for the first run.')
      : look.bad(`To fix (${fixes.length}):`),
    ...fixes,
  ].join('\n');
}
