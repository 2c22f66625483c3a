// The test alert mail: one message to the alert recipients through the configured mailer (Gmail deployed, the
// outbox locally), so the credentials are proven before the first real failure needs them.

import type { Mailer } from '../alerts/mailer.js';
import type { MailMessage } from '../alerts/mime.js';
import type { FunctionConfig } from '../config/schema.js';
import { FUNCTION_ENV } from '../config/settings.js';
import { type DoctorCheck, failed, passed } from './report.js';

const SUBJECT = 'alerts';

/** Where the guide says how to obtain the credentials and put them in their secret. */
const CREDENTIALS_FIX = `make new Gmail credentials as terraform/README.md's step 2 says (an OAuth refresh token for gmail.send, or a service account with domain-wide delegation for the sender), add them as a new version of the secret behind ${FUNCTION_ENV.gmailCredentials}, and redeploy`;

function testMessage(config: FunctionConfig, sender: string, now: Date): MailMessage {
  return {
    from: sender,
    to: config.alerts.recipients,
    subject: '[db-backup] test alert from doctor',
    text: `This is a test of the backup alerts, sent by \`db-backup doctor\` at ${now.toISOString()}.\nAlerts reach you this way when a backup, a check or a restore fails. Nothing needs doing.\n`,
  };
}

export async function mailCheck(
  config: FunctionConfig,
  mailer: Mailer | null,
  sender: string,
  now: Date,
): Promise<DoctorCheck> {
  if (!mailer) {
    return failed(SUBJECT, 'mail', 'no alert delivery is configured', CREDENTIALS_FIX);
  }
  if (config.alerts.recipients.length === 0) {
    return failed(
      SUBJECT,
      'mail',
      'no alert recipients',
      `name them in ${FUNCTION_ENV.alertRecipients} (Terraform's alert_recipients)`,
    );
  }
  try {
    await mailer.send(testMessage(config, sender, now));
  } catch (error) {
    return failed(SUBJECT, 'mail', (error as Error).message, CREDENTIALS_FIX);
  }
  return passed(SUBJECT, 'mail', `test mail sent to ${config.alerts.recipients.join(', ')}`);
}
