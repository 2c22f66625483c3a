// A throwaway FerretDB 1.x for tests — MongoDB's wire protocol on SQLite, in a temp folder, on a random port and on
// another with TLS — with authentication on and a backup user created at start-up with an awkward password (SCRAM,
// as MongoDB does).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { selfSignedCertificate } from './certificate.js';
import { awkwardPassword } from './mariadb.js';
import { provisionedPath } from './provisioned.js';
import { freePort } from './stand-in-tools.js';

export interface FerretDb {
  host: '127.0.0.1';
  port: number;
  /** A second listener, with TLS: a certificate for 127.0.0.1 that is its own CA. */
  tls: { port: number; caFile: string };
  /** The user, defined in `admin`; FerretDB 1.x has no roles, so it may read and write everything. */
  user: string;
  password: string;
  /** A connected client (the official Node.js driver) for fixtures and comparisons. */
  client: MongoClient;
  stop(): Promise<void>;
}

export async function startFerretDb(): Promise<FerretDb> {
  const dir = await mkdtemp(join(tmpdir(), 'ferretdb-'));
  const [port, tlsPort] = [await freePort(), await freePort()];
  const { certFile, keyFile } = await selfSignedCertificate(dir, 'ferretdb');
  const user = 'backup';
  const password = awkwardPassword();
  const output: string[] = [];
  const server = spawn(
    provisionedPath('ferretdb', 'ferretdb'),
    [
      `--listen-addr=127.0.0.1:${port}`,
      `--listen-tls=127.0.0.1:${tlsPort}`,
      `--listen-tls-cert-file=${certFile}`,
      `--listen-tls-key-file=${keyFile}`,
      '--handler=sqlite',
      `--sqlite-url=file:${dir}/`,
      `--state-dir=${dir}`,
      // No debug listener (its default port would clash between parallel tests) and no telemetry.
      '--debug-addr=-',
      '--telemetry=disable',
      '--log-level=warn',
      '--test-enable-new-auth',
      '--setup-database=admin',
      `--setup-username=${user}`,
    ],
    // The password through the environment, so it is not in the test server's argv either.
    { env: { ...process.env, FERRETDB_SETUP_PASSWORD: password }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  for (const stream of [server.stdout, server.stderr])
    stream.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const client = new MongoClient(`mongodb://127.0.0.1:${port}/`, {
    auth: { username: user, password },
    authSource: 'admin',
    directConnection: true,
    serverSelectionTimeoutMS: 1000,
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await client.db('admin').command({ ping: 1 });
      break;
    } catch (error) {
      if (server.exitCode !== null || Date.now() > deadline) {
        server.kill('SIGKILL');
        await rm(dir, { recursive: true, force: true });
        throw new Error(`FerretDB did not start on port ${port}: ${error}\n${output.join('')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  return {
    host: '127.0.0.1',
    port,
    tls: { port: tlsPort, caFile: certFile },
    user,
    password,
    client,
    async stop() {
      await client.close();
      server.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
