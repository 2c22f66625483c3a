// MongoDB connection strings in agent.json: the few checks the agent makes before handing one to mongodump.

import { z } from 'zod';

/** The authority's userinfo (`user` or `user:password`), or '' when the connection string has none. */
export function userinfo(uri: string): string {
  const rest = uri.slice(uri.indexOf('://') + 3);
  const authority = rest.split(/[/?]/, 1)[0] ?? '';
  const at = authority.lastIndexOf('@');
  return at === -1 ? '' : authority.slice(0, at);
}

/** The database named in the path (`mongodb://host/db?…`), or ''. */
function uriDatabase(uri: string): string {
  const rest = uri.slice(uri.indexOf('://') + 3);
  const slash = rest.search(/[/?]/);
  return slash === -1 || rest[slash] === '?' ? '' : (rest.slice(slash + 1).split('?', 1)[0] ?? '');
}

/** True when the query names option `name` (option names are case-insensitive). */
export function uriOption(uri: string, name: string): boolean {
  const query = uri.split('?')[1] ?? '';
  return query.split('&').some((pair) => pair.split('=')[0]?.toLowerCase() === name.toLowerCase());
}

/**
 * A connection string as MongoDB documents it (replica set members, `mongodb+srv` seed lists, TLS and other
 * options), checked only for what would leak or clash: it reaches argv, so it must hold no password, and the
 * target's own fields say which database is dumped. Hand-written: the rest is mongodump's to interpret, and a
 * connection-string library would be a runtime dependency of the agent for these three checks.
 */
export const connectionStringSchema = z
  .string()
  .max(4096)
  .regex(
    /^mongodb(\+srv)?:\/\/[^\s]+$/,
    'must be a mongodb:// or mongodb+srv:// connection string without spaces',
  )
  .refine((uri) => !userinfo(uri).includes(':'), {
    message: 'must not contain a password (it would be visible in the process list): put it in passwordFile',
  })
  .refine((uri) => uriDatabase(uri) === '', {
    message:
      'must not name a database: `database` says what is dumped, and authDatabase where the user is defined',
  });
