// Alerts through the Gmail API: an OAuth client with a refresh token, or a service account impersonating the sender.
import { auth, gmail } from '@googleapis/gmail';
import { BackupError } from '../../core/errors.js';
import type { GmailConfig } from '../config/schema.js';
import type { Mailer } from './mailer.js';
import { buildMime, toGmailRaw } from './mime.js';

export const SEND_SCOPE = 'https://www.googleapis.com/auth/gmail.send';
/** Where google-auth-library's JWT flow always posts its assertion. */
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

export interface GmailMailerOptions {
  gmail: GmailConfig;
  /** The Gmail API's root, e.g. a local endpoint in tests; Google's when omitted. */
  rootUrl?: string;
  timeoutMs?: number;
  now?: () => Date;
}

function authClient(config: GmailConfig) {
  if (config.auth === 'oauth') {
    const credentials = config.credentials.reveal();
    const client = new auth.OAuth2({
      clientId: credentials.client_id,
      clientSecret: credentials.client_secret,
      ...(credentials.token_uri && { endpoints: { oauth2TokenUrl: credentials.token_uri } }),
    });
    client.setCredentials({ refresh_token: credentials.refresh_token });
    return client;
  }
  const credentials = config.credentials.reveal();
  // Domain-wide delegation: the service account acts as the sender's mailbox (`subject`).
  const client = new auth.JWT({
    email: credentials.client_email,
    key: credentials.private_key,
    scopes: [SEND_SCOPE],
    subject: config.sender,
  });
  const tokenUri = credentials.token_uri;
  if (tokenUri && tokenUri !== GOOGLE_TOKEN_URL) {
    // The JWT flow has no token URL option, yet a key file names its own `token_uri`: honour it here.
    client.transporter.interceptors.request.add({
      resolved: async (request) => {
        if (String(request.url) === GOOGLE_TOKEN_URL) request.url = new URL(tokenUri);
        return request;
      },
    });
  }
  return client;
}

/** Gmail's answer, without anything of the request (whose headers carry the access token). */
function describeFailure(error: unknown): string {
  const { status, response } = (error ?? {}) as { status?: number; response?: { status?: number } };
  const code = status ?? response?.status;
  const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
  return code ? `HTTP ${code}: ${message}` : message;
}

export function createGmailMailer(options: GmailMailerOptions): Mailer {
  const client = gmail({
    version: 'v1',
    auth: authClient(options.gmail),
    ...(options.rootUrl && { rootUrl: options.rootUrl }),
  });
  const now = options.now ?? (() => new Date());
  return {
    async send(message) {
      try {
        await client.users.messages.send(
          { userId: 'me', requestBody: { raw: toGmailRaw(buildMime(message, now())) } },
          // Sending is not idempotent: a retry after a lost answer would deliver the alert twice.
          { retry: false, timeout: options.timeoutMs ?? 30_000 },
        );
      } catch (cause) {
        throw new BackupError(
          'ALERT_FAILED',
          `the Gmail API did not send the alert: ${describeFailure(cause)}`,
          {
            cause,
          },
        );
      }
    },
  };
}
