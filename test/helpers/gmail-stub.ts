// A local stand-in for Google's OAuth token endpoint and the Gmail API's messages.send: it checks what a real
// one would (the grant, the bearer token, a base64url `raw`) and records each delivered message's MIME.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GmailStubOptions {
  /** The OAuth client and refresh token the token endpoint accepts. */
  oauth?: { clientId: string; clientSecret: string; refreshToken: string };
}

export interface RecordedMessage {
  userId: string;
  /** The decoded MIME text of `raw`. */
  mime: Buffer;
}

export interface GmailStub {
  /** The Gmail API's root, for `rootUrl`. */
  rootUrl: string;
  /** The token endpoint, for `token_uri`. */
  tokenUrl: string;
  messages: RecordedMessage[];
  /** The form fields of every token request, e.g. its grant_type and assertion. */
  tokenRequests: URLSearchParams[];
  /** From now on, answer messages.send with this status (null: deliver again). */
  failSends(status: number | null): void;
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}

export async function startGmailStub(options: GmailStubOptions = {}): Promise<GmailStub> {
  const tokens = new Set<string>();
  const messages: RecordedMessage[] = [];
  const tokenRequests: URLSearchParams[] = [];
  let sendStatus: number | null = null;

  const token = (form: URLSearchParams, res: ServerResponse) => {
    tokenRequests.push(form);
    const grant = form.get('grant_type');
    const oauth = options.oauth;
    const refreshOk =
      grant === 'refresh_token' &&
      oauth !== undefined &&
      form.get('client_id') === oauth.clientId &&
      form.get('client_secret') === oauth.clientSecret &&
      form.get('refresh_token') === oauth.refreshToken;
    const jwtOk =
      grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer' &&
      (form.get('assertion') ?? '').split('.').length === 3;
    if (!refreshOk && !jwtOk)
      return json(res, 400, { error: 'invalid_grant', error_description: 'Bad Request' });
    const accessToken = randomBytes(16).toString('hex');
    tokens.add(accessToken);
    json(res, 200, { access_token: accessToken, expires_in: 3599, token_type: 'Bearer' });
  };

  const send = (userId: string, text: string, req: IncomingMessage, res: ServerResponse) => {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer || !tokens.has(bearer))
      return json(res, 401, { error: { code: 401, message: 'Invalid Credentials' } });
    if (sendStatus !== null)
      return json(res, sendStatus, { error: { code: sendStatus, message: 'Backend Error' } });
    const raw = (JSON.parse(text) as { raw?: unknown }).raw;
    if (typeof raw !== 'string' || !/^[A-Za-z0-9_-]+={0,2}$/.test(raw)) {
      return json(res, 400, {
        error: {
          code: 400,
          message: "'raw' RFC822 payload message string or uploading message via /upload/* URL required",
        },
      });
    }
    messages.push({ userId, mime: Buffer.from(raw, 'base64url') });
    json(res, 200, { id: `m${messages.length}`, threadId: `t${messages.length}`, labelIds: ['SENT'] });
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    body(req).then(
      (text) => {
        if (req.method === 'POST' && url.pathname === '/token') return token(new URLSearchParams(text), res);
        const sendPath = /^\/gmail\/v1\/users\/([^/]+)\/messages\/send$/.exec(url.pathname);
        if (req.method === 'POST' && sendPath?.[1])
          return send(decodeURIComponent(sendPath[1]), text, req, res);
        json(res, 404, { error: { code: 404, message: 'Not Found' } });
      },
      () => res.destroy(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return {
    rootUrl: `${base}/`,
    tokenUrl: `${base}/token`,
    messages,
    tokenRequests,
    failSends(status) {
      sendStatus = status;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
