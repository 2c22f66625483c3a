// The Gmail credentials of gmail_auth = "oauth", obtained once by the admin: the sending account's consent to
// gmail.send alone, through the loopback redirect Google gives a Desktop app's OAuth client, with PKCE. The result
// is the JSON the function reads from GMAIL_CREDENTIALS (client_id, client_secret, refresh_token, token_uri).
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CodeChallengeMethod, OAuth2Client } from 'google-auth-library';
import { z } from 'zod';
import { describeIssues } from '../../core/protocol.js';
import { gmailCredentialSchemas, type OAuthCredentials } from '../config/value-schemas.js';
import { SEND_SCOPE } from './gmail-mailer.js';

const client = z.object({
  client_id: z.string().min(1),
  client_secret: z.string().min(1),
  auth_uri: z.url(),
  token_uri: z.url(),
});

/** The file the Google Cloud console downloads for an OAuth client: a Desktop app's ("installed"), or a web one's. */
const clientSecretsSchema = z.union([z.object({ installed: client }), z.object({ web: client })]);

export interface GmailAuthorizationOptions {
  /** The client secret file's JSON. */
  clientSecrets: unknown;
  /** Shows the consent page to the admin (prints it; a test follows it). */
  openUrl: (url: string) => void | Promise<void>;
  /** How long the consent may take. */
  timeoutMs?: number;
}

/** Waits on a loopback port for the browser's return from the consent page; answers the code. */
async function loopback(state: string, timeoutMs: number) {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const code = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no consent within ${timeoutMs / 1000} s`)), timeoutMs);
    server.on('request', (req, res) => {
      const query = new URL(req.url ?? '/', redirectUri).searchParams;
      // Anything else reaching the port (a favicon, a page that is not Google's answer) is turned away.
      if (query.get('state') !== state)
        return void res.writeHead(400).end('Not the answer to this consent.\n');
      clearTimeout(timer);
      const error = query.get('error');
      res.end(
        error
          ? `Consent refused (${error}).\n`
          : 'The backup alerts are authorized: you may close this page.\n',
      );
      if (error) reject(new Error(`the consent was refused: ${error}`));
      else resolve(query.get('code') ?? '');
    });
  });
  const answered = code.finally(() => server.close());
  // Awaited once the consent page is shown; a refusal may come back before that, and is not unhandled meanwhile.
  answered.catch(() => {});
  return { redirectUri, code: answered };
}

export async function authorizeGmail(options: GmailAuthorizationOptions): Promise<OAuthCredentials> {
  const parsed = clientSecretsSchema.safeParse(options.clientSecrets);
  if (!parsed.success)
    throw new Error(`not an OAuth client secret file (Desktop app): ${describeIssues(parsed.error.issues)}`);
  const secrets = 'installed' in parsed.data ? parsed.data.installed : parsed.data.web;
  const state = randomBytes(16).toString('hex');
  const { redirectUri, code } = await loopback(state, options.timeoutMs ?? 600_000);
  const oauth = new OAuth2Client({
    clientId: secrets.client_id,
    clientSecret: secrets.client_secret,
    redirectUri,
    endpoints: { oauth2AuthBaseUrl: secrets.auth_uri, oauth2TokenUrl: secrets.token_uri },
  });
  const { codeVerifier, codeChallenge } = await oauth.generateCodeVerifierAsync();
  await options.openUrl(
    oauth.generateAuthUrl({
      // A refresh token, asked for again even where the account consented before, so one always comes back.
      access_type: 'offline',
      prompt: 'consent',
      scope: [SEND_SCOPE],
      state,
      code_challenge: codeChallenge,
      code_challenge_method: CodeChallengeMethod.S256,
    }),
  );
  const { tokens } = await oauth.getToken({ code: await code, codeVerifier });
  if (!tokens.refresh_token) throw new Error('Google answered without a refresh token: run this again');
  if (tokens.scope && !tokens.scope.split(' ').includes(SEND_SCOPE))
    throw new Error(`the consent did not grant ${SEND_SCOPE} (granted: ${tokens.scope})`);
  return gmailCredentialSchemas.oauth.parse({
    client_id: secrets.client_id,
    client_secret: secrets.client_secret,
    refresh_token: tokens.refresh_token,
    token_uri: secrets.token_uri,
  });
}
