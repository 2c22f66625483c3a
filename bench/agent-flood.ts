// `npx tsx bench/agent-flood.ts [checkout]`: what unauthenticated traffic costs the agent's VM. Starts the built
// agent of `checkout` (this one by default; `npm run build` first) with syslog on, sends it FLOOD_REQUESTS (3000) unsigned requests with a
// FLOOD_PATH_BYTES (14000) path, FLOOD_CONCURRENCY (32) at a time, stops it, and prints the bytes it wrote to
// agent.log and to stdout (the journal) from its first request to its exit, and the processes it started
// (successful execve calls that strace saw).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateKeyPair } from '../core/signing/index.js';
import { freePort } from '../local/free-port.js';

const REQUESTS = Number(process.env.FLOOD_REQUESTS ?? 3000);
const PATH_BYTES = Number(process.env.FLOOD_PATH_BYTES ?? 14_000);
const CONCURRENCY = Number(process.env.FLOOD_CONCURRENCY ?? 32);

/** One unsigned GET; resolves with the status, or 0 when the agent refused the connection or closed it. */
function send(port: number, path: string): Promise<number> {
  return new Promise((done) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: 30_000 }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode ?? 0));
    });
    req.on('error', () => done(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

async function waitForAgent(port: number, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null) throw new Error(`the agent exited with ${child.exitCode}`);
    if ((await send(port, '/healthz')) === 200) return;
    await new Promise((wait) => setTimeout(wait, 100));
  }
  throw new Error('the agent did not start');
}

async function main(): Promise<void> {
  const checkout = resolve(process.argv[2] ?? '.');
  const dir = await mkdtemp(join(tmpdir(), 'agent-flood-'));
  const port = await freePort();
  const { publicKey, privateKey } = generateKeyPair();
  const responseKeyFile = join(dir, 'response-key.pem');
  await writeFile(responseKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const config = {
    listen: { host: '127.0.0.1', port },
    publicUrl: `http://127.0.0.1:${port}`,
    responseKeyFile,
    stateDir: join(dir, 'state'),
    logDir: join(dir, 'log'),
    syslog: true,
    trustedKeys: { flood: publicKey.export({ type: 'spki', format: 'pem' }).toString() },
    targets: [{ id: 'app', engine: 'sqlite', database: 'app', path: join(dir, 'app.sqlite') }],
    // Never used: no request is signed.
    uploads: { buckets: ['flood-bench'] },
  };
  await writeFile(join(dir, 'agent.json'), JSON.stringify(config));
  const trace = join(dir, 'strace.txt');
  const child = spawn(
    'strace',
    ['-f', '-qq', '-e', 'trace=execve', '-o', trace, process.execPath, 'dist/agent/main.js'].concat([
      '--config',
      join(dir, 'agent.json'),
    ]),
    { cwd: checkout, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, PATH: process.env.PATH } },
  );
  let stdoutBytes = 0;
  child.stdout?.on('data', (chunk: Buffer) => {
    stdoutBytes += chunk.length;
  });
  try {
    await waitForAgent(port, child);
    const before = { stdout: stdoutBytes, log: (await stat(join(dir, 'log', 'agent.log'))).size };
    const path = `/v1/jobs/${'a'.repeat(PATH_BYTES)}`;
    const statuses = new Map<number, number>();
    let next = 0;
    const begun = Date.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < REQUESTS) {
          next++;
          const status = await send(port, path);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      }),
    );
    const seconds = (Date.now() - begun) / 1000;
    // strace's one child is the agent: stop it (it writes what it counted), and strace ends with it.
    const agentPid = (await readFile(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8')).trim();
    process.kill(Number(agentPid), 'SIGTERM');
    await new Promise((done) => child.on('exit', done));
    const logBytes = (await stat(join(dir, 'log', 'agent.log'))).size - before.log;
    // One successful execve per process started (a failed one is a PATH entry tried); the first is the agent.
    const started = (await readFile(trace, 'utf8'))
      .split('\n')
      .filter((line) => /execve(\(| resumed>).*= 0$/.test(line))
      .map((line) => /execve\("([^"]+)"/.exec(line)?.[1] ?? 'resumed');
    const rotated = (await readdir(join(dir, 'log'))).length;
    console.log(
      JSON.stringify(
        {
          checkout,
          requests: REQUESTS,
          pathBytes: PATH_BYTES,
          seconds,
          statuses: Object.fromEntries(statuses),
          agentLogBytes: logBytes,
          stdoutBytes: stdoutBytes - before.stdout,
          processesStarted: started.length - 1,
          logFiles: rotated,
        },
        null,
        2,
      ),
    );
  } finally {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
