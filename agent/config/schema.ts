// The shape of agent.json, with every default in one place: the agent's own here, and those it shares with a part
// that needs them without a config (the signature window, the upload's time-outs) taken from where they are declared.
import { isIP } from 'node:net';
import { z } from 'zod';
import { nameSchema } from '../../core/protocol.js';
import { SIGNATURE_WINDOW } from '../../core/signing/index.js';
import { CHUNK_QUANTUM } from '../../core/upload-session.js';
import { ENCRYPTION_MODES, recipientSchema } from '../encryption/recipients.js';
import { absolutePathSchema } from '../engines/engine.js';
import { targetConfigSchema } from '../engines/index.js';
import { DEFAULT_RETRY_POLICY } from '../pipeline/retrying.js';

export const AGENT_DEFAULTS = {
  port: 8443,
  stateDir: '/var/lib/db-backup',
  logDir: '/var/log/db-backup',
  syslog: true,
  /** Each a bare name looked up on PATH, or a path; all three are required, and checked when the agent starts. */
  zstdPath: 'zstd',
  pigzPath: 'pigz',
  pvPath: 'pv',
  /** Required only where a backup is encrypted or a restore decrypted. */
  agePath: 'age',
  storageOrigin: 'https://storage.googleapis.com',
  /**
   * Where the storage host may resolve: Private Google Access's fixed addresses (private.googleapis.com and
   * restricted.googleapis.com), the only storage addresses the systemd unit admits (IPAddressAllow).
   */
  storageRanges: ['199.36.153.8/30', '199.36.153.4/30'],
  /** Resumable uploads take chunks in multiples of 256 KiB; 8 MiB keeps memory small and requests few. */
  chunkSize: 8 * 1024 * 1024,
  /** A job request is a few hundred bytes; anything much larger is not one. */
  maxBodyBytes: 16 * 1024,
  /** The function polls one job at a time per target; a few dozen connections is ample. */
  maxConnections: 32,
  /** Its share for one client address: one source holding connections open leaves room for the function. */
  maxConnectionsPerAddress: 8,
  /** Long enough for the watchdog and an admin to look back over a quarter. */
  jobRetentionDays: 90,
  configPath: '/etc/db-backup/agent.json',
} as const;

const keyId = nameSchema;

/** `a.b.c.d/n` or an IPv6 range, as systemd's IPAddressAllow writes one. */
const cidrSchema = z.string().refine((range) => {
  const [address = '', prefix = '', ...rest] = range.split('/');
  const family = isIP(address);
  const bits = Number(prefix);
  return rest.length === 0 && family !== 0 && /^\d+$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
}, 'must be an address range such as 199.36.153.8/30');

export const agentConfigSchema = z.strictObject({
  listen: z.strictObject({
    /** No default: on a VM the agent must listen on the internal address the function reaches, said explicitly. */
    host: z.string().min(1, 'must name the address to listen on, e.g. the VM internal IP'),
    port: z.int().min(0).max(65535).default(AGENT_DEFAULTS.port),
  }),
  /**
   * The URL the function calls, e.g. `http://10.0.0.5:8443`: the origin of every signed @target-uri. Required,
   * so that a request signed for another agent (one trusting the same key) is refused here, whatever its Host
   * header says; it is also the origin the agent's signed answers name.
   */
  publicUrl: z
    .url({ protocol: /^https?$/ })
    .refine((url) => new URL(url).pathname === '/' && !new URL(url).search, 'must be an origin with no path'),
  /**
   * The agent's own Ed25519 private key (PEM, PKCS #8, a file only the agent's user may read), which signs every
   * answer; the function holds its public half (BACKUP_AGENTS) and believes only answers it signed.
   */
  responseKeyFile: absolutePathSchema,
  /** Serve HTTPS with this certificate and key (PEM files); plain HTTP when absent. */
  tls: z.strictObject({ certFile: absolutePathSchema, keyFile: absolutePathSchema }).optional(),
  stateDir: absolutePathSchema.default(AGENT_DEFAULTS.stateDir),
  logDir: absolutePathSchema.default(AGENT_DEFAULTS.logDir),
  syslog: z.boolean().default(AGENT_DEFAULTS.syslog),
  /** Public keys by key id: a PEM text or the absolute path of a PEM file. Two ids while a key rotates. */
  trustedKeys: z
    .record(keyId, z.string().min(1))
    .refine((keys) => Object.keys(keys).length > 0, 'must hold at least one key'),
  targets: z
    .array(targetConfigSchema)
    .min(1, 'must list at least one target')
    .superRefine((targets, ctx) => {
      const seen = new Set<string>();
      const sources = new Set(targets.map((target) => target.database));
      targets.forEach((target, index) => {
        if (seen.has(target.id)) {
          ctx.addIssue({
            code: 'custom',
            path: [index, 'id'],
            message: `duplicate target id "${target.id}"`,
          });
        }
        seen.add(target.id);
        // A restore drops its scratch database afterwards: no scratch name may be any target's live database.
        target.restore?.scratchDatabases.forEach((name, at) => {
          if (sources.has(name)) {
            ctx.addIssue({
              code: 'custom',
              path: [index, 'restore', 'scratchDatabases', at],
              message: `"${name}" is a backed-up database, never a scratch one`,
            });
          }
        });
      });
    }),
  /** The only storage the agent writes to: a dump never goes anywhere a signed request alone could name. */
  uploads: z.strictObject({
    origin: z
      .url({ protocol: /^https?$/ })
      .refine((url) => new URL(url).pathname === '/', 'must be an origin with no path')
      .default(AGENT_DEFAULTS.storageOrigin),
    buckets: z.array(z.string().regex(/^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/, 'must be a bucket name')).min(1),
    /** The address ranges the origin's host must resolve into, as the unit admits them; `doctor` checks it. */
    allowedRanges: z
      .array(cidrSchema)
      .min(1)
      .default([...AGENT_DEFAULTS.storageRanges]),
    /** How long one upload request may take before it is abandoned and retried. */
    requestTimeoutSeconds: z
      .int()
      .min(5)
      .max(3600)
      .default(DEFAULT_RETRY_POLICY.requestTimeoutMs / 1000),
    /** How long one upload request keeps being retried (with backoff) before the job fails. */
    retryWindowMinutes: z
      .number()
      .positive()
      .max(24 * 60)
      .default(DEFAULT_RETRY_POLICY.retryWindowMs / 60_000),
  }),
  /**
   * `required`: every target's backups are encrypted, and a target without recipients is refused rather than
   * uploaded in clear. `off` (the default, an explicit opt-out in the examples) encrypts only targets with recipients.
   */
  encryption: z.enum(ENCRYPTION_MODES).default('off'),
  /** age recipients (age1…) of every target that lists none of its own: the agent's identity and the admin's offline key. */
  recipients: z.array(recipientSchema).default([]),
  /**
   * age identity files that open the backups on a restore or a drill, e.g. systemd's LoadCredential= copy under
   * /run/credentials/; read by age alone, never sent anywhere. Keep a retired recipient's identity while its backups live.
   */
  identityFiles: z.array(absolutePathSchema).default([]),
  agePath: z.string().min(1).default(AGENT_DEFAULTS.agePath),
  zstdPath: z.string().min(1).default(AGENT_DEFAULTS.zstdPath),
  pigzPath: z.string().min(1).default(AGENT_DEFAULTS.pigzPath),
  pvPath: z.string().min(1).default(AGENT_DEFAULTS.pvPath),
  chunkSize: z
    .int()
    .min(CHUNK_QUANTUM)
    .refine((size) => size % CHUNK_QUANTUM === 0, 'must be a multiple of 262144 (256 KiB)')
    .default(AGENT_DEFAULTS.chunkSize),
  maxBodyBytes: z
    .int()
    .min(1024)
    .max(1024 * 1024)
    .default(AGENT_DEFAULTS.maxBodyBytes),
  /** Open connections past this many are closed at once. */
  maxConnections: z.int().min(2).max(1024).default(AGENT_DEFAULTS.maxConnections),
  /** Open connections from one client address past this many are closed at once. */
  maxConnectionsPerAddress: z.int().min(1).max(1024).default(AGENT_DEFAULTS.maxConnectionsPerAddress),
  /** Finished jobs' state files are deleted after this many days. */
  jobRetentionDays: z.int().min(1).default(AGENT_DEFAULTS.jobRetentionDays),
  signature: z
    .strictObject({
      /** How old a signature's `created` may be. */
      maxAgeSeconds: z.int().min(1).max(3600).default(SIGNATURE_WINDOW.maxAgeSeconds),
      /** How far ahead of the agent's clock `created` may be. */
      maxClockSkewSeconds: z.int().min(0).max(600).default(SIGNATURE_WINDOW.maxFutureSkewSeconds),
    })
    .prefault({}),
});

export type AgentConfigInput = z.input<typeof agentConfigSchema>;
export type AgentConfigFile = z.infer<typeof agentConfigSchema>;
