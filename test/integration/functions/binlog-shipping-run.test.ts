// The binlogs run and verify's chain against a real agent, a real MariaDB with binary logging and the storage
// emulator: logs shipped across several flushes form an unbroken chain from a backup's position within the target;
// a log changed in the bucket breaks it; a shipping that dies half way leaves nothing under the log's name and the
// next run ships it; a log the server purged before it was shipped is named.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupDate } from '../../../core/object-name.js';
import { type RunningEmulator, startEmulator } from '../../../emulator/index.js';
import { agentClientFor } from '../../../functions/agent/agent-client.js';
import type { MailMessage } from '../../../functions/alerts/mime.js';
import { chainState } from '../../../functions/binlog/chain-state.js';
import { runBinlogs } from '../../../functions/binlog/run-binlogs.js';
import { parseFunctionConfig } from '../../../functions/config/parse.js';
import type { FunctionConfig } from '../../../functions/config/schema.js';
import { createCloudLogger } from '../../../functions/logging/logger.js';
import { attest } from '../../../functions/object/attestation.js';
import { binlogMetadata } from '../../../functions/object/binlog-metadata.js';
import { systemClock } from '../../../functions/run/clock.js';
import type { FunctionDeps } from '../../../functions/run/deps.js';
import { getObject } from '../../../functions/storage/objects.js';
import { updateObject } from '../../../functions/storage/update-object.js';
import { startTestAgent, type TestAgent } from '../../helpers/agent.js';
import { type MariaDb, startMariaDb } from '../../helpers/mariadb.js';
import { unavailable } from '../../helpers/provisioned.js';

const BUCKET = 'pitr-backups';
const SERVER_ID = 31;

describe.skipIf(unavailable('mariadb', 'zstd') !== undefined)(
  'shipping binary logs on their own schedule',
  () => {
    let db: MariaDb;
    let emulator: RunningEmulator;
    let dir: string;
    let agent: TestAgent;
    let storage: Storage;
    const mails: MailMessage[] = [];

    beforeAll(async () => {
      [db, emulator] = await Promise.all([
        startMariaDb({ binlog: { serverId: SERVER_ID } }),
        startEmulator({ port: 0 }),
      ]);
      await db.exec(`GRANT REPLICATION SLAVE, BINLOG MONITOR, RELOAD ON *.* TO ${db.user}@'127.0.0.1';`);
      await db.exec(
        'CREATE DATABASE HospitalDB; CREATE TABLE HospitalDB.visits (id INT PRIMARY KEY AUTO_INCREMENT, at DATETIME(6));',
      );
      storage = new Storage({ apiEndpoint: emulator.url, projectId: 'test-project' });
      await storage.createBucket(BUCKET, { versioning: { enabled: true } });
      dir = await mkdtemp(join(tmpdir(), 'binlogs-run-'));
      const passwordFile = join(dir, 'password');
      await writeFile(passwordFile, `${db.password}\n`, { mode: 0o600 });
      // A mariadb-binlog that writes a little and is then killed, as a reader lost half way would be.
      const dies = join(dir, 'dies.sh');
      await writeFile(
        dies,
        [
          '#!/bin/sh',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion, as the shell reads it.
          'for a; do case $a in --result-file=*) out=${a#--result-file=};; esac; file=$a; done',
          'head -c 300 /dev/urandom > "$out$file"',
          'sleep 1',
          'kill -9 $$',
        ].join('\n'),
      );
      await chmod(dies, 0o755);
      const { host, port, user } = db;
      const mysql = { engine: 'mysql' as const, database: 'HospitalDB', host, port, user, passwordFile };
      agent = await startTestAgent({
        targets: [
          { id: 'hospital', ...mysql },
          { id: 'dying', ...mysql, binlogToolPath: dies },
        ],
        uploads: { origin: emulator.url, buckets: [BUCKET] },
      });
    });

    afterAll(async () => {
      await agent?.remove();
      await Promise.all([db?.stop(), emulator?.close()]);
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    /** The function as configured with HospitalDB pointInTime through the agent target `targetId`. */
    function fn(targetId = 'hospital'): { config: FunctionConfig; deps: FunctionDeps } {
      const config = parseFunctionConfig({
        BACKUP_BUCKET: BUCKET,
        BACKUP_TARGETS: JSON.stringify([
          {
            id: targetId,
            database: 'HospitalDB',
            engine: 'mysql',
            agentUrl: agent.url,
            pointInTime: true,
            compression: { algorithm: 'zstd' },
          },
        ]),
        BACKUP_AGENTS: JSON.stringify([{ url: agent.url, publicKey: agent.answerKey }]),
        BACKUP_SIGNING_KEY_ID: agent.key.id,
        BACKUP_SIGNING_KEY: agent.key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        BACKUP_RPO_MINUTES: '15',
        ALERT_RECIPIENTS: 'admin@example.com',
        ALERT_SENDER: 'backups@example.com',
      });
      const deps: FunctionDeps = {
        storage,
        agent: agentClientFor(config, { fetch: globalThis.fetch, clock: systemClock }),
        logger: createCloudLogger({ stream: new PassThrough().resume() }),
        mailer: { send: async (message) => void mails.push(message) },
        clock: systemClock,
      };
      return { config, deps };
    }

    const write = (rows: number) =>
      db.exec(
        Array.from({ length: rows }, () => 'INSERT INTO HospitalDB.visits (at) VALUES (NOW(6));').join(' '),
      );

    /** Where the server writes now: the position a backup taken at this moment records. */
    async function masterStatus(): Promise<{ file: string; position: number }> {
      const [file = '', position = ''] = (await db.exec('SHOW MASTER STATUS')).trim().split('\t');
      return { file, position: Number(position) };
    }

    /** Today's backup of HospitalDB as a checked run leaves it, starting at the server's position now. */
    async function backupHere(config: FunctionConfig): Promise<string> {
      const { file, position } = await masterStatus();
      const name = `HospitalDB_${backupDate(new Date())}.sql.zst`;
      await storage
        .bucket(BUCKET)
        .file(name)
        .save('-- a dump', { metadata: { metadata: { checkedAt: new Date().toISOString() } } });
      const info = await getObject(storage.bucket(BUCKET), name);
      if (!info) throw new Error(`no ${name}`);
      const position_ = binlogMetadata({ file, position, serverId: SERVER_ID, gtidDomainId: 0 });
      await updateObject(storage.bucket(BUCKET), info, {
        metadata: { ...position_, ...attest(BUCKET, info, config.signingKey, new Date(), position_) },
      });
      return file;
    }

    /**
     * PURGE BINARY LOGS TO `file`, until the server lists none before it: MariaDB keeps a log until InnoDB has written
     * its commits past it (its binlog checkpoint), which follows a FLUSH a moment later.
     */
    async function purgeTo(file: string): Promise<void> {
      for (let tries = 0; tries < 100; tries += 1) {
        await db.exec(`PURGE BINARY LOGS TO '${file}'`);
        const [first] = (await db.exec('SHOW BINARY LOGS')).trim().split('\n');
        if (first?.startsWith(`${file}\t`)) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`the server kept the logs before ${file}`);
    }

    const objectsUnder = async () =>
      (await storage.bucket(BUCKET).getFiles({ prefix: 'binlog/' }))[0].map((file) => file.name).sort();

    it('ships the logs closed across several runs, each checked and attested, into an unbroken chain within the target', async () => {
      const { config, deps } = fn();
      const start = await backupHere(config);
      const shipped: string[] = [];
      for (let round = 0; round < 3; round += 1) {
        await write(20);
        const report = await runBinlogs(config, deps, {});
        expect(report.status, JSON.stringify(report)).toBe('ok');
        shipped.push(...(report.targets[0]?.binlogs?.shipped ?? []));
      }
      expect(shipped[0]).toBe(start);
      expect(shipped.length).toBeGreaterThanOrEqual(3);
      expect(await objectsUnder()).toEqual(
        expect.arrayContaining(shipped.map((f) => `binlog/HospitalDB/${SERVER_ID}/${f}.zst`)),
      );
      const chain = await chainState(
        storage.bucket(BUCKET),
        config,
        config.targets[0] as FunctionConfig['targets'][number],
        new Date(),
      );
      expect(chain?.problem).toBeUndefined();
      expect(chain?.logs).toBe(shipped.length);
      expect(chain?.end).toBe(shipped.at(-1));
      expect(chain?.lagMinutes).toBeLessThanOrEqual(1);
    });

    it('breaks the chain where a shipped log was replaced in the bucket: its attestation no longer holds', async () => {
      const { config } = fn();
      const target = config.targets[0] as FunctionConfig['targets'][number];
      const chain = await chainState(storage.bucket(BUCKET), config, target, new Date());
      const second = `binlog/HospitalDB/${SERVER_ID}/${chain?.start?.file.replace(/\d+$/, (n) => String(Number(n) + 1).padStart(n.length, '0'))}.zst`;
      const info = await getObject(storage.bucket(BUCKET), second);
      expect(info).not.toBeNull();
      await storage
        .bucket(BUCKET)
        .file(second)
        .save(Buffer.from('not the log'), { metadata: { metadata: info?.metadata } });
      const broken = await chainState(storage.bucket(BUCKET), config, target, new Date());
      expect(broken?.problem?.code).toBe('BINLOG_GAP');
      expect(broken?.problem?.message).toContain(
        `${second} is in the bucket, but its attestation does not hold`,
      );
    });

    it('leaves nothing under the name of a log whose reader died half way, and the next run ships it', async () => {
      const dying = fn('dying');
      await backupHere(dying.config);
      await write(5);
      const before = await objectsUnder();
      const failed = await runBinlogs(dying.config, dying.deps, {});
      expect(failed.targets[0]?.outcome).toBe('failed');
      expect(await objectsUnder()).toEqual(before);
      expect(mails.at(-1)?.subject).toMatch(/^Binary-log shipping failed: HospitalDB/);
      const { config, deps } = fn();
      const resumed = await runBinlogs(config, deps, {});
      expect(resumed.status, JSON.stringify(resumed)).toBe('ok');
      expect(resumed.targets[0]?.binlogs?.shipped.length).toBeGreaterThanOrEqual(1);
    });

    it('names the logs the server purged before they were shipped, and says to take a full backup now', async () => {
      const { config, deps } = fn();
      const start = await backupHere(config);
      await write(5);
      await db.exec('FLUSH BINARY LOGS');
      await write(5);
      await db.exec('FLUSH BINARY LOGS');
      const { file: open } = await masterStatus();
      await purgeTo(open);
      const report = await runBinlogs(config, deps, {});
      expect(report.targets[0]).toMatchObject({ outcome: 'failed', error: { code: 'BINLOG_LOST' } });
      expect(report.targets[0]?.binlogs?.purged?.[0]).toBe(start);
      expect(report.targets[0]?.binlogs?.purged).toHaveLength(2);
      expect(report.targets[0]?.binlogs?.shipped).toEqual([open]);
      expect(mails.at(-1)?.text).toContain('take a full backup now (db-backup run --force HospitalDB)');
    });
  },
);
