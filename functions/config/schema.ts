// The function's configuration as the code uses it: the declared settings, checked against each other and grouped.
import type { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import type { SigningKey } from '../../core/signing/index.js';
import { Secret } from './secret.js';
import { FUNCTION_ENV, type Settings } from './settings.js';
import {
  gmailCredentialSchemas,
  type OAuthCredentials,
  type ServiceAccountCredentials,
} from './value-schemas.js';

export type { AgentEndpoint, Target } from './value-schemas.js';

export type GmailConfig =
  | { auth: 'oauth'; sender: string; credentials: Secret<OAuthCredentials> }
  | { auth: 'service-account'; sender: string; credentials: Secret<ServiceAccountCredentials> };

type Grouped =
  | 'signingKeyId'
  | 'signingKey'
  | 'alertRecipients'
  | 'alertSender'
  | 'gmailAuth'
  | 'gmailCredentials';

export interface FunctionConfig extends Omit<Settings, Grouped> {
  /** A KeyObject prints no key material; the PEM text is not kept. */
  signingKey: SigningKey;
  alerts: { recipients: string[]; sender?: string; gmail?: GmailConfig };
}

function invalid(message: string): ConfigError {
  return new ConfigError(`invalid function configuration: ${message}`);
}

function gmailConfig(settings: Settings): GmailConfig | undefined {
  const { gmailAuth: auth, gmailCredentials, alertSender: sender, alertRecipients } = settings;
  if (!auth) return undefined;
  const missing = [
    !gmailCredentials && FUNCTION_ENV.gmailCredentials,
    !sender && FUNCTION_ENV.alertSender,
    alertRecipients.length === 0 && FUNCTION_ENV.alertRecipients,
  ].filter(Boolean);
  if (missing.length > 0 || !sender)
    throw invalid(`${FUNCTION_ENV.gmailAuth}=${auth} needs ${missing.join(', ')}`);
  const credentials = <T>(schema: z.ZodType<T>): Secret<T> => {
    const parsed = schema.safeParse(gmailCredentials);
    if (parsed.success) return new Secret(parsed.data);
    // Paths and messages only: zod's messages never echo a credential's value.
    const fields = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw invalid(`gmailCredentials (${FUNCTION_ENV.gmailCredentials}) for ${auth}: ${fields}`);
  };
  return auth === 'oauth'
    ? { auth, sender, credentials: credentials(gmailCredentialSchemas.oauth) }
    : { auth, sender, credentials: credentials(gmailCredentialSchemas['service-account']) };
}

/** Checks what no single setting can check alone, and groups the signing key and the alert settings. */
export function assembleConfig(settings: Settings): FunctionConfig {
  if (Object.hasOwn(settings.retiredSigningKeys, settings.signingKeyId)) {
    throw invalid(
      `retiredSigningKeys (${FUNCTION_ENV.retiredSigningKeys}) holds ${settings.signingKeyId}, the current key's id (${FUNCTION_ENV.signingKeyId})`,
    );
  }
  const agentUrls = new Set(settings.agents.map((agent) => agent.url));
  settings.targets.forEach((target, index) => {
    if (!agentUrls.has(target.agentUrl)) {
      throw invalid(
        `targets.${index}.agentUrl (${FUNCTION_ENV.targets}): ${target.agentUrl} is not one of the agents (${FUNCTION_ENV.agents})`,
      );
    }
  });
  const gmail = gmailConfig(settings);
  const { signingKeyId, signingKey, alertRecipients, alertSender, gmailAuth, gmailCredentials, ...rest } =
    settings;
  return {
    ...rest,
    signingKey: { id: signingKeyId, privateKey: signingKey },
    alerts: {
      recipients: alertRecipients,
      ...(alertSender && { sender: alertSender }),
      ...(gmail && { gmail }),
    },
  };
}
