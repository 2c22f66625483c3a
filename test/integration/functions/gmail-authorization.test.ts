// `npm run gmail:authorize`: the sending account's consent to gmail.send through the loopback redirect, with PKCE,
// against a local stand-in for Google's consent page and token endpoint; the file it writes is what the function
// reads as GMAIL_CREDENTIALS, and it mails through the Gmail API with it.
import { execFile } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeGmail } from '../../../functions/alerts/gmail-authorization.js';
import { createGmailMailer } from '../../../functions/alerts/gmail-mailer.js';
import { parseFunctionConfig } from '../../../functions/config/parse.js';

const SCOPE = 'https://www.googleapis.com/auth/gmail.send';
const CLIENT = { client_id: 'desktop-client.apps.googleusercontent.com', client_secret: 'not-so-secret' };

/** What the stand-in saw and how it answers: Google's consent page, token endpoint and Gmail API, in one server. */
interface Provider {
  url: string;
  /** The consent page's query, each time it was asked. */
  consents: URLSearchParams[];
  /** How the consent page answers: with a code, or with an error (the admin clicked Cancel). */
  answer: { error?: string; refreshToken?: string; scope?: string };
  sent: string[];
  server: Server;
}

async function form(req: IncomingMessage): Promise<URLSearchParams> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return new URLSearchParams(text);
}

async function startProvider(): Promise<Provider> {
  const challenges = new Map<string, { challenge: string; redirect: string }>();
  const provider = { consents: [], answer: {}, sent: [] } as unknown as Provider;
  provider.server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', provider.url);
    if (url.pathname === '/auth') {
      const query = url.searchParams;
      provider.consents.push(query);
      const back = new URL(query.get('redirect_uri') ?? '');
      back.searchParams.set('state', query.get('state') ?? '');
      if (provider.answer.error) back.searchParams.set('error', provider.answer.error);
      else {
        const code = `code-${provider.consents.length}`;
        challenges.set(code, {
          challenge: query.get('code_challenge') ?? '',
          redirect: query.get('redirect_uri') ?? '',
        });
        back.searchParams.set('code', code);
      }
      return void res.writeHead(302, { location: back.toString() }).end();
    }
    if (url.pathname === '/token') {
      const fields = await form(req);
      const expected = challenges.get(fields.get('code') ?? '');
      const verifier = createHash('sha256')
        .update(fields.get('code_verifier') ?? '')
        .digest('base64url');
      const refresh =
        fields.get('grant_type') === 'refresh_token' && fields.get('refresh_token') === 'refresh-1';
      const exchange =
        fields.get('grant_type') === 'authorization_code' &&
        fields.get('client_id') === CLIENT.client_id &&
        fields.get('client_secret') === CLIENT.client_secret &&
        expected?.challenge === verifier &&
        expected.redirect === fields.get('redirect_uri');
      if (!refresh && !exchange) return void res.writeHead(400).end('{"error":"invalid_grant"}');
      const { refreshToken = 'refresh-1', scope = SCOPE } = provider.answer;
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          access_token: 'access-1',
          expires_in: 3600,
          token_type: 'Bearer',
          scope,
          ...(exchange && refreshToken && { refresh_token: refreshToken }),
        }),
      );
    }
    if (
      url.pathname === '/gmail/v1/users/me/messages/send' &&
      req.headers.authorization === 'Bearer access-1'
    ) {
      provider.sent.push((await form(req)).toString());
      return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"m1"}');
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => provider.server.listen(0, '127.0.0.1', resolve));
  provider.url = `http://127.0.0.1:${(provider.server.address() as AddressInfo).port}`;
  return provider;
}

/** The admin's browser: opens the consent page and follows its redirect back to the loopback port. */
async function browser(url: string): Promise<void> {
  await fetch(url);
}

describe('authorizing the Gmail alerts', () => {
  let provider: Provider;
  let dir: string;
  let secrets: { installed: Record<string, string> };

  beforeAll(async () => {
    provider = await startProvider();
    dir = await mkdtemp(join(tmpdir(), 'gmail-authorize-'));
    secrets = {
      installed: { ...CLIENT, auth_uri: `${provider.url}/auth`, token_uri: `${provider.url}/token` },
    };
  });
  afterAll(async () => {
    provider?.server.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('asks for gmail.send alone, offline, with PKCE, and returns what the function reads', async () => {
    provider.answer = {};
    const credentials = await authorizeGmail({ clientSecrets: secrets, openUrl: browser });
    expect(credentials).toEqual({
      ...CLIENT,
      refresh_token: 'refresh-1',
      token_uri: `${provider.url}/token`,
    });
    const consent = provider.consents.at(-1);
    expect(consent?.get('scope')).toBe(SCOPE);
    expect([
      consent?.get('access_type'),
      consent?.get('prompt'),
      consent?.get('code_challenge_method'),
    ]).toEqual(['offline', 'consent', 'S256']);
    expect(consent?.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const config = parseFunctionConfig({
      BACKUP_BUCKET: 'b-1',
      BACKUP_TARGETS: JSON.stringify([
        { id: 'a', database: 'a', engine: 'sqlite', agentUrl: 'http://10.0.0.5:8443' },
      ]),
      BACKUP_AGENTS: JSON.stringify([
        {
          url: 'http://10.0.0.5:8443',
          publicKey: generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }),
        },
      ]),
      BACKUP_SIGNING_KEY_ID: 'k',
      BACKUP_SIGNING_KEY: String(
        generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }),
      ),
      ALERT_RECIPIENTS: 'admin@example.com',
      ALERT_SENDER: 'backups@example.com',
      GMAIL_AUTH: 'oauth',
      GMAIL_CREDENTIALS: JSON.stringify(credentials),
    });
    const gmail = config.alerts.gmail;
    if (!gmail) throw new Error('no Gmail configuration');
    await createGmailMailer({ gmail, rootUrl: `${provider.url}/` }).send({
      to: ['admin@example.com'],
      from: 'backups@example.com',
      subject: 'authorized',
      text: 'The refresh token mails.',
    });
    expect(provider.sent).toHaveLength(1);
  });

  it('fails, naming why, when the consent is refused, grants another scope, or brings no refresh token', async () => {
    const failure = (answer: Provider['answer']) => {
      provider.answer = answer;
      return authorizeGmail({ clientSecrets: secrets, openUrl: browser }).then(
        () => 'authorized',
        (error: Error) => error.message,
      );
    };
    expect(await failure({ error: 'access_denied' })).toBe('the consent was refused: access_denied');
    expect(await failure({ scope: 'openid' })).toMatch(
      /did not grant https:\/\/www.googleapis.com\/auth\/gmail.send/,
    );
    expect(await failure({ refreshToken: '' })).toMatch(/without a refresh token/);
  });

  it('refuses a file that is not an OAuth client secret, before any consent', async () => {
    const before = provider.consents.length;
    const error = await authorizeGmail({
      clientSecrets: { type: 'service_account' },
      openUrl: browser,
    }).catch((e: Error) => e.message);
    expect(error).toMatch(/^not an OAuth client secret file/);
    expect(provider.consents.length).toBe(before);
  });

  it('npm run gmail:authorize writes the file 0600, and never over an existing one', async () => {
    provider.answer = {};
    const secretsFile = join(dir, 'client_secret.json');
    const out = join(dir, 'gmail-credentials.json');
    await writeFile(secretsFile, JSON.stringify(secrets));
    const run = () =>
      new Promise<{ code: number; stderr: string }>((resolve) => {
        const child = execFile(
          process.execPath,
          [
            '--import',
            'tsx',
            'functions/alerts/authorize-gmail.ts',
            '--client-secrets',
            secretsFile,
            '--out',
            out,
          ],
          (error, _stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stderr }),
        );
        // The admin opens the page it prints.
        child.stderr?.on('data', (chunk: Buffer) => {
          const url = /(http:\/\/127\.0\.0\.1:\d+\/auth\?\S+)/.exec(String(chunk))?.[1];
          if (url) void browser(url);
        });
      });
    const first = await run();
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(await readFile(out, 'utf8'))).toMatchObject({ refresh_token: 'refresh-1' });
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    const second = await run();
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/EEXIST/);
  });
});
