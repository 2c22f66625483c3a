// The signed ping of one agent: the function's signed request, the agent's signed answer — its version, its clock
// against the function's, and the id of the key it verified the request with. An agent's refusals are signed too,
// so its clock is read even when it refuses the request, and a clock apart is told from a key it does not trust.
import { SIGNATURE_WINDOW } from '../../core/signing/index.js';
import type { AgentClient, PingAnswer } from '../agent/agent-client.js';
import { AgentError } from '../agent/agent-error.js';
import { type DoctorCheck, failed, passed } from './report.js';

/**
 * How far apart the clocks may be: the agent refuses a request created further ahead of its clock than this by
 * default, and a clock this far off is drifting, whatever the window an agent was given.
 */
const MAX_SKEW_SECONDS = SIGNATURE_WINDOW.maxFutureSkewSeconds;

const CLOCK_FIX =
  "set the VM's clock right and keep it so: `timedatectl set-ntp true` (systemd-timesyncd or chrony, which on Google Cloud ask metadata.google.internal), then `timedatectl` shows it synchronized";

/** The agent's clock minus the function's, in seconds: its stamp against the middle of the round trip. */
function skewSeconds(answer: PingAnswer): number {
  const middle = (answer.sentAt.getTime() + answer.receivedAt.getTime()) / 2;
  // The signature's `created` has whole seconds: half a second is its expected truncation.
  const agentTime = answer.pong ? Date.parse(answer.pong.time) : answer.signedAt.getTime() + 500;
  return Math.round((agentTime - middle) / 100) / 10;
}

function describeSkew(seconds: number): string {
  if (seconds === 0) return 'clock in step';
  return `clock ${Math.abs(seconds)} s ${seconds > 0 ? 'ahead of' : 'behind'} the function's`;
}

function unreachable(subject: string, error: AgentError): DoctorCheck {
  if (error.code === 'AGENT_UNREACHABLE') {
    return failed(
      subject,
      'ping',
      error.message,
      `check that the agent runs (\`systemctl status db-backup-agent\`), listens on the address BACKUP_AGENTS names, and that the firewall admits the functions' range to its port`,
    );
  }
  return failed(
    subject,
    'ping',
    error.message,
    `BACKUP_AGENTS' publicKey for this agent must be the public half of its responseKeyFile: \`openssl pkey -in <responseKeyFile> -pubout\` on the VM, then Terraform's agents input`,
  );
}

/** The ping's row, and whether the agent can be asked anything more. */
export async function pingCheck(
  agent: AgentClient,
  agentUrl: string,
  signingKeyId: string,
): Promise<{ check: DoctorCheck; ok: boolean }> {
  const subject = new URL(agentUrl).host;
  let answer: PingAnswer;
  try {
    answer = await agent.ping(agentUrl);
  } catch (error) {
    if (!(error instanceof AgentError)) throw error;
    return { check: unreachable(subject, error), ok: false };
  }
  const skew = skewSeconds(answer);
  const clockWrong = Math.abs(skew) > MAX_SKEW_SECONDS;
  if (answer.refusal) {
    const refused = `the agent refused the signed ping (HTTP ${answer.refusal.context.status ?? '?'})`;
    if (clockWrong)
      return {
        check: failed(subject, 'ping', `${refused}: its ${describeSkew(skew)}`, CLOCK_FIX),
        ok: false,
      };
    const fix =
      answer.refusal.context.status === 401
        ? `the agent does not trust the function's signing key "${signingKeyId}": put its public key (terraform output agent_config: trustedKeys) in agent.json's trustedKeys under "${signingKeyId}", then \`systemctl restart db-backup-agent\``
        : `install the agent of the function's version (its release archive), then \`systemctl restart db-backup-agent\``;
    return { check: failed(subject, 'ping', `${refused}: ${answer.refusal.message}`, fix), ok: false };
  }
  const pong = answer.pong as NonNullable<PingAnswer['pong']>;
  const said = `version ${pong.version}, ${describeSkew(skew)}, key id ${pong.keyId}`;
  if (clockWrong) return { check: failed(subject, 'ping', said, CLOCK_FIX), ok: false };
  return { check: passed(subject, 'ping', said), ok: true };
}
