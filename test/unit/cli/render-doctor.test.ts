// doctor's table as the admin reads it: a row per check, and each failure's fix printed whole under it, however
// narrow the terminal — the detail column is the one cut, never what to do next.
import { describe, expect, it } from 'vitest';
import { PLAIN } from '../../../cli/look.js';
import { renderDoctor } from '../../../cli/render-doctor.js';
import type { DoctorReport } from '../../../functions/api.js';

const FIX =
  "the VM must resolve the storage host through the private DNS zone (Terraform's private_google_apis_dns, on by default)";

const report: DoctorReport = {
  kind: 'doctor',
  status: 'failed',
  checkedAt: '2026-12-07T20:00:00.000Z',
  checks: [
    {
      subject: '10.0.0.5:8443',
      check: 'ping',
      outcome: 'passed',
      detail: 'version 0.1.0, clock in step, key id k1',
    },
    {
      subject: '10.0.0.5:8443',
      check: 'route',
      outcome: 'failed',
      detail: 'storage.googleapis.com resolves to 142.250.74.59: 142.250.74.59 outside 199.36.153.8/30',
      fix: FIX,
    },
    { subject: '10.0.0.5:8443', check: 'canary', outcome: 'skipped', detail: 'the route failed' },
    { subject: 'alerts', check: 'mail', outcome: 'passed', detail: 'test mail sent to admin@example.com' },
  ],
};

describe('renderDoctor', () => {
  it('prints a row per check, then each fix whole, even where the terminal cuts the details', () => {
    const text = renderDoctor(report, { ...PLAIN, width: 60 });
    expect(text.split('\n').slice(0, 6)).toEqual([
      expect.stringMatching(/^agent\s+check\s+outcome\s+detail$/),
      expect.stringMatching(/^-+/),
      expect.stringMatching(/^10\.0\.0\.5:8443\s+ping\s+passed\s+version 0\.1\.0/),
      expect.stringMatching(/^10\.0\.0\.5:8443\s+route\s+failed\s+storage\.googleapis\.com .*…$/),
      expect.stringMatching(/^10\.0\.0\.5:8443\s+canary\s+skipped\s+the route failed$/),
      expect.stringMatching(/^alerts\s+mail\s+passed\s+test mail sent/),
    ]);
    expect(text).toContain(`To fix (1):\n  10.0.0.5:8443 route: ${FIX}`);
    expect(text).not.toContain('Every check passed');
  });

  it('says the path is ready when every check passed', () => {
    const ok: DoctorReport = {
      ...report,
      status: 'ok',
      checks: [report.checks[0] as DoctorReport['checks'][0]],
    };
    expect(renderDoctor(ok)).toMatch(/\n\nEvery check passed: the path is ready for the first run\.$/);
  });
});
