// The embedded default: the storage emulator, the agent and the functions on 127.0.0.1, wired as in production.

import { createWriteStream } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type LifecycleRule, Storage } from '@google-cloud/storage';
import { nodeConfigFiles } from '../agent/config/files.js';
import { parseAgentConfig } from '../agent/config/parse.js';
import { createAgent } from '../agent/create-agent.js';
import { generateKeyPair } from '../core/signing/index.js';
import { type LifecycleReport, startEmulator } from '../emulator/index.js';
import {
  agentClientFor,
  CANARY_FOLDER,
  createBackupHandler,
  createCloudLogger,
  createDoctorHandler,
  createListHandler,
  createOutboxMailer,
  createRestoreHandler,
  createRetentionHandler,
  createStatusHandler,
  createVerifyHandler,
  FUNCTION_ENV,
  type FunctionDeps,
  parseFunctionConfig,
  systemClock,
} from '../functions/api.js';
import { ensureAgeIdentity, requireAge } from './age-identity.js';
import { DEMO_CHECK, ensureDemoDatabase, requireSqlite3 } from './demo-database.js';
import { freePort } from './free-port.js';
import { serveFunctions } from './serve-functions.js';
import { createLocalSigner } from './signer.js';
import { localSigningKey } from './signing-key.js';
import { type FunctionName, lockStack, recordStackUrls } from './stack-file.js';

const LOCAL_BUCKET = 'local-backups';
const KEY_ID = 'local';

/**
 * The bucket's lifecycle as Terraform sets it: a backup goes once its customTime (retention end) has passed; a
 * canary of `doctor` a day after it was written.
 */
const LIFECYCLE: LifecycleRule[] = [
  { action: { type: 'Delete' }, condition: { daysSinceCustomTime: 0 } },
  { action: { type: 'Delete' }, condition: { isLive: false, daysSinceNoncurrentTime: 30 } },
  { action: { type: 'Delete' }, condition: { matchesPrefix: [CANARY_FOLDER], age: 1 } },
];

/** Where the demo database is restored: a scratch file in the agent's own folder. */
const DEMO_SCRATCH = 'demo_restore';

export interface LocalStack {
  /** Each function's URL, as Cloud Run gives each its own. */
  urls: Record<FunctionName, string>;
  emulatorUrl: string;
  bucket: string;
  storage: Storage;
  /** One lifecycle pass over the bucket as of `now` (default now), as Cloud Storage makes by itself (up to a day late). */
  runLifecycle(now?: Date): Promise<LifecycleReport>;
  /** Where everything lives on disk: objects, the demo database, the agent's state and logs, the alert outbox. */
  paths: {
    data: string;
    storage: string;
    demoDatabase: string;
    agentLogs: string;
    functionLog: string;
    outbox: string;
    scratch: string;
    /** The age identity the demo backups are encrypted for: `age -d -i` opens them. */
    ageIdentity: string;
  };
  close(): Promise<void>;
}

export interface LocalStackOptions {
  /** Hears of each alert written to the outbox (`npm start -- --watch` prints a line). */
  onAlert?: (alert: { file: string; subject: string }) => void;
}

/**
 * Starts the stack on `dataDir`, which it holds until close: a second stack on the same folder fails with
 * FolderBusyError naming this one, before it touches anything.
 */
export async function startLocalStack(dataDir: string, options: LocalStackOptions = {}): Promise<LocalStack> {
  requireSqlite3();
  requireAge();
  const data = resolve(dataDir);
  const lock = await lockStack(data);
  try {
    const stack = await startOn(data, options);
    await recordStackUrls(lock, stack.urls);
    return {
      ...stack,
      async close() {
        await stack.close();
        await lock.release();
      },
    };
  } catch (error) {
    await lock.release();
    throw error;
  }
}

async function startOn(data: string, options: LocalStackOptions): Promise<LocalStack> {
  const paths = {
    data,
    storage: join(data, 'storage'),
    demoDatabase: join(data, 'demo.sqlite'),
    agentLogs: join(data, 'agent', 'log'),
    functionLog: join(data, 'function.log'),
    outbox: join(data, 'outbox'),
    scratch: join(data, 'agent', 'scratch'),
    ageIdentity: join(data, 'age-identity.key'),
  };
  await mkdir(join(data, 'agent', 'state'), { recursive: true });
  await ensureDemoDatabase(paths.demoDatabase);
  // One key stands for both of production's: the agent's restore identity and the admin's offline key.
  const age = await ensureAgeIdentity(paths.ageIdentity);

  const signer = createLocalSigner();
  const emulator = await startEmulator({ dataDir: paths.storage, signedUrlKeys: signer.trusted });
  const storage = new Storage({
    apiEndpoint: emulator.url,
    projectId: 'local-project',
    credentials: signer.credentials,
  });
  const bucket = storage.bucket(LOCAL_BUCKET);
  const [exists] = await bucket.exists();
  if (!exists) await bucket.create({ versioning: { enabled: true } });
  // Also on a bucket made before retention, so a data folder kept from then ages its backups out too.
  await bucket.setMetadata({ lifecycle: { rule: LIFECYCLE } });

  // The function's key is the folder's (its attestations must hold at the next start); the agent trusts only it.
  const keys = await localSigningKey(join(data, 'function', 'signing-key.pem'));
  const agentKeys = generateKeyPair();
  const agentPort = await freePort();
  // The agent's answers are signed with a key of this run too; the function believes only those.
  const responseKeyFile = join(data, 'agent', 'response-key.pem');
  await writeFile(responseKeyFile, agentKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }), {
    mode: 0o600,
  });
  await chmod(responseKeyFile, 0o600);
  const agentConfig = parseAgentConfig(
    {
      listen: { host: '127.0.0.1', port: agentPort },
      publicUrl: `http://127.0.0.1:${agentPort}`,
      responseKeyFile,
      stateDir: join(data, 'agent', 'state'),
      logDir: paths.agentLogs,
      syslog: false,
      trustedKeys: { [KEY_ID]: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString() },
      targets: [
        {
          id: 'demo',
          engine: 'sqlite',
          database: 'demo',
          path: paths.demoDatabase,
          restore: { scratchDatabases: [DEMO_SCRATCH], scratchDir: paths.scratch, checks: [DEMO_CHECK] },
        },
      ],
      // The emulator on loopback stands in for Private Google Access's addresses.
      uploads: { origin: emulator.url, buckets: [LOCAL_BUCKET], allowedRanges: ['127.0.0.0/8'] },
      encryption: 'required',
      recipients: [age.recipient],
      identityFiles: [age.file],
    },
    nodeConfigFiles,
  );
  const agent = await createAgent(agentConfig);
  const { url: agentUrl } = await agent.listen();

  // The function reads the same variables as on Cloud Run; only its clients point at the local stack.
  const functionConfig = parseFunctionConfig(
    {
      [FUNCTION_ENV.bucket]: LOCAL_BUCKET,
      [FUNCTION_ENV.targets]: JSON.stringify([
        { id: 'demo', database: 'demo', engine: 'sqlite', agentUrl, encryption: 'required' },
      ]),
      [FUNCTION_ENV.agents]: JSON.stringify([
        { url: agentUrl, publicKey: agentKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString() },
      ]),
      [FUNCTION_ENV.pollBudgetSeconds]: '120',
      [FUNCTION_ENV.signingKeyId]: KEY_ID,
      [FUNCTION_ENV.signingKey]: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      [FUNCTION_ENV.alertRecipients]: 'admin@localhost.localdomain',
      [FUNCTION_ENV.alertSender]: 'db-backup@localhost.localdomain',
    },
    // A small database finishes in well under a second: poll often so the run ends as soon as it does.
    { pollIntervalSeconds: 0.2 },
  );
  const functionLog = createWriteStream(paths.functionLog, { flags: 'a' });
  const deps: FunctionDeps = {
    storage,
    agent: agentClientFor(functionConfig, { fetch: globalThis.fetch, clock: systemClock }),
    logger: createCloudLogger({ stream: functionLog }),
    mailer: createOutboxMailer({
      dir: paths.outbox,
      ...(options.onAlert && { onWritten: options.onAlert }),
    }),
    clock: systemClock,
  };
  const functions = await serveFunctions(
    {
      backup: createBackupHandler(functionConfig, deps),
      verify: createVerifyHandler(functionConfig, deps),
      retention: createRetentionHandler(functionConfig, deps),
      restore: createRestoreHandler(functionConfig, deps),
      list: createListHandler(functionConfig, deps),
      status: createStatusHandler(functionConfig, deps),
      doctor: createDoctorHandler(functionConfig, deps),
    },
    deps.logger,
  );

  return {
    urls: functions.urls,
    emulatorUrl: emulator.url,
    bucket: LOCAL_BUCKET,
    storage,
    runLifecycle: (now) => emulator.runLifecycle(now),
    paths,
    async close() {
      await functions.close();
      await agent.close();
      await emulator.close();
      await new Promise((done) => functionLog.end(done));
    },
  };
}
