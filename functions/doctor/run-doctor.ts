// `doctor`: every hop a backup takes, checked after a deploy and before the first run — for each agent its signed
// ping, route to storage and canary upload, then the function's test mail — in one report whose every failure names its fix.
import { LOCAL_SENDER } from '../alerts/send-alert.js';
import type { FunctionConfig } from '../config/schema.js';
import type { FunctionDeps } from '../run/deps.js';
import { canaryCheck } from './canary-check.js';
import { mailCheck } from './mail-check.js';
import { pingCheck } from './ping-check.js';
import { type DoctorCheck, type DoctorReport, skipped } from './report.js';
import { routeCheck } from './route-check.js';

/** The checks of one agent, in the order a backup needs them; each one runs only if the one before passed. */
async function agentChecks(
  config: FunctionConfig,
  deps: FunctionDeps,
  agentUrl: string,
): Promise<DoctorCheck[]> {
  const ping = await pingCheck(deps.agent, agentUrl, config.signingKey.id);
  const host = new URL(agentUrl).host;
  if (!ping.ok) {
    return [
      ping.check,
      skipped(host, 'route', 'the ping failed'),
      skipped(host, 'canary', 'the ping failed'),
    ];
  }
  const route = await routeCheck(deps.agent, agentUrl);
  if (route.outcome !== 'passed') return [ping.check, route, skipped(host, 'canary', 'the route failed')];
  return [ping.check, route, await canaryCheck(config, deps, agentUrl)];
}

export async function runDoctor(config: FunctionConfig, deps: FunctionDeps): Promise<DoctorReport> {
  const checkedAt = deps.clock.now().toISOString();
  // Agents side by side: each one's checks are its own, and an unreachable one waits out its time-out alone.
  const perAgent = await Promise.all(config.agents.map((agent) => agentChecks(config, deps, agent.url)));
  const mail = await mailCheck(config, deps.mailer, config.alerts.sender ?? LOCAL_SENDER, deps.clock.now());
  const checks = [...perAgent.flat(), mail];
  const failures = checks.filter((check) => check.outcome === 'failed');
  const report: DoctorReport = {
    kind: 'doctor',
    status: failures.length ? 'failed' : 'ok',
    checkedAt,
    checks,
  };
  if (failures.length === 0) {
    deps.logger.event('doctor.passed', `every check passed (${checks.length})`, {});
  } else {
    deps.logger.event('doctor.failed', `${failures.length} check(s) failed`, {
      failedChecks: failures.map((check) => `${check.subject} ${check.check}`),
    });
  }
  return report;
}
