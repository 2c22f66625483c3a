// The defaults the deploy README's agent.json table states are the ones the config gives: each setting is declared
// once (the schema, or the part it comes from: the signature window, the upload's retry policy), and the table is
// held to it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentConfigSchema } from '../../../../agent/config/schema.js';

const README = readFileSync(join(import.meta.dirname, '../../../../agent/deploy/README.md'), 'utf8');

/** A table cell's default as a value; undefined for one that is not a plain value ("none: required"). */
function cellValue(cell: string): unknown {
  if (/^\d+$/.test(cell)) return Number(cell);
  if (cell === 'true' || cell === 'false') return cell === 'true';
  const mebibytes = /^(\d+) MiB$/.exec(cell)?.[1];
  if (mebibytes) return Number(mebibytes) * 1024 * 1024;
  return /^`([^`]+)`$/.exec(cell)?.[1];
}

const rows = [...README.matchAll(/^\| `([A-Za-z.]+)` \| ([^|]+?) \|/gm)].flatMap(([, field, cell]) => {
  const value = cellValue((cell as string).trim());
  return value === undefined ? [] : [[field as string, value] as const];
});

const config = agentConfigSchema.parse({
  listen: { host: '10.0.0.5' },
  publicUrl: 'http://10.0.0.5:8443',
  responseKeyFile: '/etc/db-backup/keys/agent-response.key',
  trustedKeys: { 'key-1': '/etc/db-backup/keys/key-1.pem' },
  targets: [{ id: 'app', engine: 'sqlite', database: 'app', path: '/srv/app.db' }],
  uploads: { buckets: ['acme-backups'] },
});

describe("the deploy README's agent.json table", () => {
  it('states a default for the settings that have one', () => {
    expect(rows.map(([field]) => field)).toEqual(
      expect.arrayContaining([
        'listen.port',
        'uploads.requestTimeoutSeconds',
        'uploads.retryWindowMinutes',
        'signature.maxAgeSeconds',
        'signature.maxClockSkewSeconds',
      ]),
    );
  });

  it.each(rows)('%s defaults to %s, as the config gives it', (field, value) => {
    const given = field.split('.').reduce<unknown>((at, key) => (at as Record<string, unknown>)[key], config);
    expect(given).toBe(value);
  });
});
