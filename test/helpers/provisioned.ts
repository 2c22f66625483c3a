// What `npm test` provisioned (test/provision/), as tests ask for it: a tool's path, or why a test cannot run here.
import { inject } from 'vitest';
import type { Provision } from '../provision/outcome.js';

/** What a test can need, and the manifest entries that provide it. */
const NEEDS = {
  mariadb: ['debian:mariadb-server', 'debian:mariadb-client'],
  postgres: ['debian:postgresql', 'debian:postgresql-client'],
  sqlite3: ['debian:sqlite3'],
  zstd: ['debian:zstd'],
  python3: ['debian:python3'],
  shellcheck: ['debian:shellcheck'],
  'fake-gcs-server': ['fake-gcs-server'],
  ferretdb: ['ferretdb'],
  'mongo-tools': ['mongo-tools'],
  mongosh: ['mongosh'],
  terraform: ['terraform'],
} satisfies Record<string, string[]>;
export type Need = keyof typeof NEEDS | `provider:${string}`;

function entry(name: string): Provision {
  return (
    inject('provisioned')[name] ?? {
      state: 'unavailable',
      reason: `${name} is not provisioned by test/provision/`,
      command: 'npm test',
    }
  );
}

const told = new Set<string>();

/**
 * Why a test needing all of `needs` cannot run here (printed once), or undefined when it can. Provisioning has
 * already failed the run for anything this machine could have provided, so a reason here is never a silent skip.
 */
export function unavailable(...needs: Need[]): string | undefined {
  const reasons = needs.flatMap((need) =>
    (need in NEEDS ? NEEDS[need as keyof typeof NEEDS] : [need]).flatMap((name) => {
      const provision = entry(name);
      return provision.state === 'ready' ? [] : [`${name}: ${provision.reason}`];
    }),
  );
  if (reasons.length === 0) return undefined;
  const message = `cannot run here, not provisioned: ${reasons.join('; ')}`;
  if (!told.has(message)) console.warn(message);
  told.add(message);
  return message;
}

/** The path of `command` built by provisioning entry `name` (e.g. 'mongo-tools', 'mongodump'). */
export function provisionedPath(name: string, command: string): string {
  const provision = entry(name);
  const path = provision.state === 'ready' ? provision.paths?.[command] : undefined;
  if (!path) throw new Error(`${name} has no ${command}: ${JSON.stringify(provision)}`);
  return path;
}
