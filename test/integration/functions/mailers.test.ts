// One contract for every way an alert is delivered: Gmail with an OAuth refresh token, Gmail through a service
// account impersonating the sender, and the local outbox folder. Each delivered message is parsed back.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGmailMailer } from '../../../functions/alerts/gmail-mailer.js';
import type { Mailer } from '../../../functions/alerts/mailer.js';
import { createOutboxMailer } from '../../../functions/alerts/outbox-mailer.js';
import { Secret } from '../../../functions/config/secret.js';
import { type GmailStub, startGmailStub } from '../../helpers/gmail-stub.js';
import { OAUTH } from './harness.js';

const message = {
  from: 'backups@example.com',
  to: ['admin@example.com', 'ops@example.com'],
  subject: 'Backup failed: HospitalDB (2025-03-01) — ação',
  text: 'The backup run of 2025-03-01 failed for: HospitalDB.\n',
};

let gmail: GmailStub;
let outbox: string;

beforeAll(async () => {
  gmail = await startGmailStub({ oauth: OAUTH });
  outbox = await mkdtemp(join(tmpdir(), 'outbox-'));
});
afterAll(async () => {
  await gmail?.close();
  if (outbox) await rm(outbox, { recursive: true, force: true });
});

const serviceAccountKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();

function oauthMailer(): Mailer {
  return createGmailMailer({
    gmail: {
      auth: 'oauth',
      sender: message.from,
      credentials: new Secret({
        client_id: OAUTH.clientId,
        client_secret: OAUTH.clientSecret,
        refresh_token: OAUTH.refreshToken,
        token_uri: gmail.tokenUrl,
      }),
    },
    rootUrl: gmail.rootUrl,
  });
}

const implementations: [string, () => Mailer, () => Promise<Buffer[]>][] = [
  ['gmail (oauth)', oauthMailer, async () => gmail.messages.map((m) => m.mime)],
  [
    'gmail (service account)',
    () =>
      createGmailMailer({
        gmail: {
          auth: 'service-account',
          sender: message.from,
          credentials: new Secret({
            client_email: 'alerts@acme.iam.gserviceaccount.com',
            private_key: serviceAccountKey,
            token_uri: gmail.tokenUrl,
          }),
        },
        rootUrl: gmail.rootUrl,
      }),
    async () => gmail.messages.map((m) => m.mime),
  ],
  [
    'outbox',
    () => createOutboxMailer({ dir: outbox }),
    async () => Promise.all((await readdir(outbox)).sort().map((name) => readFile(join(outbox, name)))),
  ],
];

describe.each(implementations)('mailer contract: %s', (_name, create, delivered) => {
  it('delivers the message as sent: sender, recipients, subject and body', async () => {
    const before = (await delivered()).length;
    await create().send(message);
    const all = await delivered();
    expect(all).toHaveLength(before + 1);
    const parsed = await simpleParser(all[all.length - 1] as Buffer);
    expect(parsed.from?.text).toBe(message.from);
    const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
    expect(to?.value.map((address) => address.address)).toEqual(message.to);
    expect(parsed.subject).toBe(message.subject);
    expect(parsed.text).toBe(message.text);
  });
});

describe('gmail mailer', () => {
  it('a service account asks for a token as the sender (domain-wide delegation), for the send scope only', async () => {
    const jwt = gmail.tokenRequests.find((form) => form.get('grant_type')?.includes('jwt-bearer'));
    const claims = JSON.parse(
      Buffer.from(jwt?.get('assertion')?.split('.')[1] ?? '', 'base64url').toString(),
    );
    expect(claims).toMatchObject({
      iss: 'alerts@acme.iam.gserviceaccount.com',
      sub: message.from,
      scope: 'https://www.googleapis.com/auth/gmail.send',
    });
  });

  it('rejects with ALERT_FAILED, once, when Gmail refuses; nothing secret in the error', async () => {
    gmail.failSends(500);
    const before = gmail.messages.length;
    try {
      const error = await oauthMailer()
        .send(message)
        .catch((e: Error) => e);
      expect(error).toMatchObject({ code: 'ALERT_FAILED' });
      expect((error as Error).message).toContain('500');
      expect((error as Error).message).not.toMatch(/client-secret-1|refresh-token-1|Bearer/);
      expect(gmail.messages.length).toBe(before);
    } finally {
      gmail.failSends(null);
    }
  });

  it('rejects when the refresh token is refused', async () => {
    const mailer = createGmailMailer({
      gmail: {
        auth: 'oauth',
        sender: message.from,
        credentials: new Secret({
          ...{ client_id: OAUTH.clientId, client_secret: OAUTH.clientSecret },
          refresh_token: 'revoked',
          token_uri: gmail.tokenUrl,
        }),
      },
      rootUrl: gmail.rootUrl,
    });
    await expect(mailer.send(message)).rejects.toMatchObject({ code: 'ALERT_FAILED' });
  });
});
