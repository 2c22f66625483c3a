// `db-backup --via HOST:PORT`: the deployed functions reached through a tunnel's local end. Every connection goes
// to that address, while the TLS name, the certificate check and the Host header stay the function's own — what
// Cloud Run's front end routes by. A local TLS server holding a certificate for a function's run.app name stands in
// for the far end of the tunnel.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchVia, parseVia } from '../../../cli/connect-via.js';
import { runCli } from '../../../cli/run-cli.js';
import { runTool } from '../../helpers/stand-in-tools.js';

const FUNCTION_HOST = 'db-backup-list-abcdefghij-ew.a.run.app';

/** A self-signed certificate (its own CA) for one DNS name. */
async function certificateFor(dir: string, name: string): Promise<{ cert: string; key: string }> {
  const [certFile, keyFile] = [join(dir, `${name}.pem`), join(dir, `${name}.key`)];
  await runTool('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '1',
    '-subj',
    `/CN=${name}`,
    '-addext',
    `subjectAltName=DNS:${name}`,
    '-keyout',
    keyFile,
    '-out',
    certFile,
  ]);
  return { cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8') };
}

interface Seen {
  servername: string | false | null;
  headers: IncomingHttpHeaders;
  url?: string;
}

async function listen(server: Server | ReturnType<typeof createHttpServer>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('the functions through a tunnel (--via)', () => {
  let dir: string;
  let right: { cert: string; key: string };
  let wrong: { cert: string; key: string };
  const servers: { close(): unknown }[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cli-via-'));
    right = await certificateFor(dir, FUNCTION_HOST);
    wrong = await certificateFor(dir, 'somewhere-else.example');
  });
  afterAll(async () => {
    for (const server of servers) server.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** The far end of a tunnel: an HTTPS server on loopback presenting `certificate`. */
  async function tunnelEnd(certificate: { cert: string; key: string }) {
    const seen: Seen[] = [];
    const server = createServer(certificate, (req, res) => {
      seen.push({ servername: (req.socket as TLSSocket).servername, headers: req.headers, url: req.url });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    servers.push(server);
    return { seen, port: await listen(server) };
  }

  it("connects to the tunnel, naming the function in TLS and in Host, and checks the function's certificate", async () => {
    const end = await tunnelEnd(right);
    const fetch = fetchVia({ host: '127.0.0.1', port: end.port }, { ca: right.cert });
    const response = await fetch(`https://${FUNCTION_HOST}/?database=HospitalDB`);
    expect(await response.json()).toEqual({ ok: true });
    expect(end.seen).toEqual([
      expect.objectContaining({ servername: FUNCTION_HOST, url: '/?database=HospitalDB' }),
    ]);
    expect(end.seen[0]?.headers.host).toBe(FUNCTION_HOST);
  });

  it("refuses a far end whose certificate is not the function's", async () => {
    const end = await tunnelEnd(wrong);
    const fetch = fetchVia({ host: '127.0.0.1', port: end.port }, { ca: wrong.cert });
    const failure = await fetch(`https://${FUNCTION_HOST}/`).then(
      () => undefined,
      (error: Error) => (error.cause as Error | undefined)?.message ?? error.message,
    );
    expect(failure).toMatch(/does not match certificate's altnames|ERR_TLS_CERT_ALTNAME_INVALID/);
    expect(end.seen).toEqual([]);
  });

  it('takes HOST:PORT, and refuses anything else before calling', () => {
    expect(parseVia('127.0.0.1:8443')).toEqual({ host: '127.0.0.1', port: 8443 });
    expect(parseVia('localhost:1')).toEqual({ host: 'localhost', port: 1 });
    expect(parseVia('[::1]:65535')).toEqual({ host: '::1', port: 65535 });
    for (const bad of [
      '8443',
      '127.0.0.1',
      '127.0.0.1:0',
      '127.0.0.1:65536',
      'http://127.0.0.1:8443',
      ':8443',
    ])
      expect(() => parseVia(bad), bad).toThrow(/give the tunnel's local end as HOST:PORT/);
  });

  async function cli(argv: string[], env: NodeJS.ProcessEnv = {}) {
    const [stdout, stderr] = [new PassThrough(), new PassThrough()];
    const code = await runCli({
      argv,
      env,
      stdout,
      stderr,
      authorize: async () => 'Bearer id-token-for-test',
    });
    return { code, stdout: String(stdout.read() ?? ''), stderr: String(stderr.read() ?? '') };
  }

  it('sends every db-backup call to the tunnel, with the identity token, from --via or DB_BACKUP_VIA', async () => {
    const seen: Seen[] = [];
    const server = createHttpServer((req, res) => {
      seen.push({ servername: false, headers: req.headers, url: req.url });
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ kind: 'list', listedAt: '', targets: [] }));
    });
    servers.push(server);
    const port = await listen(server);
    // Names that resolve nowhere: only the tunnel can answer them.
    const urls = Object.fromEntries(
      ['backup', 'verify', 'restore', 'list', 'status', 'doctor'].map((name) => [
        name,
        `http://db-backup-${name}.functions.invalid/`,
      ]),
    );
    const functions = JSON.stringify(urls);
    expect((await cli(['--functions', functions, '--via', `127.0.0.1:${port}`, 'list'])).code).toBe(0);
    expect((await cli(['--functions', functions, 'list'], { DB_BACKUP_VIA: `127.0.0.1:${port}` })).code).toBe(
      0,
    );
    expect(seen.map((request) => [request.headers.host, request.headers.authorization])).toEqual([
      ['db-backup-list.functions.invalid', 'Bearer id-token-for-test'],
      ['db-backup-list.functions.invalid', 'Bearer id-token-for-test'],
    ]);
    const without = await cli(['--functions', functions, 'list']);
    expect(without.code).toBe(3);
    expect(without.stderr).toMatch(/could not be reached/);
  });

  it('refuses --via with the local stack, and a malformed one, with the usage exit code', async () => {
    const local = await cli(['--local', '--via', '127.0.0.1:8443', 'list']);
    expect([local.code, local.stderr]).toEqual([
      2,
      expect.stringMatching(/--via reaches the deployed functions/),
    ]);
    const malformed = await cli(['--functions', '{}', '--via', 'tunnel', 'list']);
    expect([malformed.code, malformed.stderr]).toEqual([2, expect.stringMatching(/--via tunnel: give/)]);
  });
});
