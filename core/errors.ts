// The error base shared by the function and the agent: a stable code per kind of failure, the cause kept,
// and one table from code to HTTP status so every server answers the same way.

export const HTTP_STATUS_BY_CODE = {
  // Configuration and input
  CONFIG_INVALID: 500,
  UNKNOWN_TIME_ZONE: 500,
  INVALID_NAME: 400,
  REQUEST_INVALID: 400,
  BODY_TOO_LARGE: 413,
  CONTENT_TYPE_UNSUPPORTED: 415,
  TARGET_UNKNOWN: 404,
  JOB_UNKNOWN: 404,
  JOB_CONFLICT: 409,
  /** A server whose binary logs cannot be shipped: binary logging off, or binlog_format not ROW (named). */
  BINLOG_NOT_READY: 409,
  /** A log the chain needs that its server purged before it was shipped: the bucket never got it, nor can now. */
  BINLOG_LOST: 500,
  /** A shipped log's object is not what the agent streamed, or not the log the server listed. */
  BINLOG_MISMATCH: 500,
  /** The newest backup of a pointInTime database records no attested binary-log position to replay from. */
  BINLOG_START_MISSING: 500,
  /** The chain after the newest backup misses a log: not shipped, or changed since it was. */
  BINLOG_GAP: 500,
  /** Logs of another server id were written after the newest backup: the server's identity changed. */
  BINLOG_SERVER_CHANGED: 500,
  /** The server's log numbers started over after the newest backup (RESET MASTER, a new data directory). */
  BINLOG_RESTARTED: 500,
  /** The shipped logs reach less recently than the recovery-point target (BACKUP_RPO_MINUTES). */
  BINLOG_STALE: 500,
  /** A moment to restore to that no proven backup and its shipped binary logs reach: how far they reach is named. */
  PITR_UNREACHABLE: 409,
  /** A log of the target is being shipped already: one at a time per target, as a busy target's jobs. */
  BINLOG_BUSY: 409,
  /** An upload or download address the agent's config does not allow: refused before anything runs. */
  DESTINATION_REFUSED: 403,
  ROUTE_UNKNOWN: 404,
  URI_TOO_LONG: 414,
  /** A connection closed at once, never answered: the agent holds its most open connections already… */
  CONNECTION_LIMIT: 503,
  /** … or its most from that one client address. */
  ADDRESS_CONNECTION_LIMIT: 503,
  // Request signatures: every one answers 401 and says no more to the caller
  /** What the caller is told for any of the signature codes below, which stay in the agent's log. */
  UNAUTHENTICATED: 401,
  SIGNATURE_MISSING: 401,
  SIGNATURE_MALFORMED: 401,
  SIGNATURE_UNKNOWN_KEY: 401,
  SIGNATURE_INVALID: 401,
  SIGNATURE_CREATED_IN_PAST: 401,
  SIGNATURE_CREATED_IN_FUTURE: 401,
  SIGNATURE_EXPIRED: 401,
  SIGNATURE_REPLAYED: 401,
  DIGEST_MISMATCH: 401,
  // A backup's own failures
  DUMP_FAILED: 500,
  /** The dump tool exited 0, but its dump does not end with the tool's own mark of a complete dump. */
  DUMP_INCOMPLETE: 500,
  /** A shipped binary log that is not whole: another size than the server listed, or no closing event at its end. */
  BINLOG_INCOMPLETE: 500,
  /** The log asked for is no longer on its server (purged): it can never be shipped now. */
  BINLOG_PURGED: 410,
  COMPRESS_FAILED: 500,
  /** age, encrypting the compressed dump for the target's recipients, failed. */
  ENCRYPT_FAILED: 500,
  /**
   * Encryption is required (by the function's target or by agent.json) and cannot be done: the target has no
   * recipients, or one side asks for a plain backup; nothing is uploaded in clear.
   */
  ENCRYPTION_REQUIRED: 422,
  UPLOAD_FAILED: 502,
  /** The object was created meanwhile by someone else (the create-only precondition failed at finalize). */
  OBJECT_EXISTS: 412,
  SESSION_REFUSED: 502,
  AGENT_UNREACHABLE: 502,
  /** The agent refused the call: its signature (401), or what it asked (the agent's own code says which). */
  AGENT_REJECTED: 502,
  /** A signed answer of the agent's that is not what the protocol says: not JSON, or fields the schema refuses. */
  AGENT_ANSWER_INVALID: 502,
  // The agent's answers: each is believed only when signed by that agent's key for the request it answers
  AGENT_RESPONSE_UNSIGNED: 502,
  AGENT_RESPONSE_UNBOUND: 502,
  AGENT_RESPONSE_INVALID: 502,
  CHECK_MISMATCH: 500,
  /** A deep check read the stored object, and its bytes are not the ones recorded when it was written. */
  DEEP_CHECK_FAILED: 500,
  JOB_INTERRUPTED: 500,
  /** Stopped by a signed cancel (the watchdog's, for a job it found stuck). */
  JOB_CANCELLED: 500,
  /** Ran longer than its target's maxDurationMinutes. */
  JOB_TIMEOUT: 504,
  /** Its source (the dump tool, a restore's download) gave no byte of its own accord for its stallMinutes. */
  JOB_STALLED: 504,
  /** An object under a backup's name that no job of ours is proven to have written. */
  OBJECT_UNPROVEN: 500,
  /** A dump much smaller than the target's recent ones: kept, but the admin must look. */
  BACKUP_SHRANK: 500,
  // A restore's own failures
  /** The target has no `restore` settings in agent.json: nothing can be restored for it. */
  RESTORE_NOT_CONFIGURED: 404,
  /** A scratch database the target does not allow, or the source database's own name. */
  SCRATCH_REFUSED: 403,
  /** The scratch database exists already: it is never overwritten, nor dropped by a restore that did not make it. */
  SCRATCH_EXISTS: 409,
  DOWNLOAD_FAILED: 502,
  /** The signed URL expired before the backup was read. */
  URL_EXPIRED: 403,
  /** The bytes read are not the object's: another size, CRC32C or MD5 than expected. */
  HASH_MISMATCH: 500,
  DECOMPRESS_FAILED: 500,
  /** An encrypted backup none of the agent's identities opens: made for other recipients, or no identity held. */
  DECRYPT_WRONG_IDENTITY: 500,
  /** An encrypted backup that ends before age's final chunk: cut short after its hashes were taken. */
  DECRYPT_TRUNCATED: 500,
  /** An encrypted backup whose header or a chunk fails age's authentication: altered after encryption. */
  DECRYPT_TAMPERED: 500,
  /** The restore tool exited non-zero. */
  RESTORE_FAILED: 500,
  /** The dump holds a command for the restore tool itself (a sqlite3 dot-command, a psql meta-command, …). */
  RESTORE_REFUSED: 422,
  /** A binary log of a restore to a moment could not be replayed whole (mariadb-binlog failed on it): nothing kept. */
  REPLAY_FAILED: 500,
  /** The restored database could not be listed and counted, or an admin's check did not hold. */
  VALIDATION_FAILED: 500,
  SCRATCH_DROP_FAILED: 500,
  /** Asked to drop a scratch database that no restore of the agent kept: it is not the agent's to drop. */
  SCRATCH_NOT_KEPT: 404,
  /** No backup of the target to restore: none verified, or the one of the date asked for is not restorable. */
  BACKUP_MISSING: 404,
  /**
   * A date typed on demand that no backup has (none exists of it, or it is still to come): the request names nothing
   * real, so it is refused, with the dates that have a backup; no run, no alert.
   */
  DATE_WITHOUT_BACKUP: 404,
  /** A generation typed on demand that the date's backup does not have (any more): refused, with those it has. */
  GENERATION_UNKNOWN: 404,
  BUDGET_SPENT: 504,
  // What `status` finds wrong with a database (its answer's problems, never thrown)
  /** The newest good backup is older than the one the schedule's last finished run should have made. */
  BACKUP_OVERDUE: 500,
  /** The database's last backup attempt failed, was skipped, or is stuck; no later one has ended well. */
  LAST_BACKUP_FAILED: 500,
  /** The database's last drill did not restore and validate its backup. */
  LAST_DRILL_FAILED: 500,
  /** The drill schedule's latest run recorded no drill of the database, though it had a backup to restore. */
  DRILL_OVERDUE: 500,
  /** The deep check schedule's latest run recorded no deep check of the database, though it had a backup. */
  DEEP_CHECK_OVERDUE: 500,
  /** The database's last on-demand restore failed. */
  LAST_RESTORE_FAILED: 500,
  /** An entry of the database's status record that the function did not sign: left out of the answer. */
  RECORD_UNPROVEN: 500,
  /** The newest good backup is encrypted for recipients none of its agent's identities opens. */
  BACKUP_UNOPENABLE: 500,
  ALERT_FAILED: 500,
  INTERNAL: 500,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof HTTP_STATUS_BY_CODE;

export class BackupError extends Error {
  override readonly name: string = 'BackupError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get httpStatus(): number {
    return HTTP_STATUS_BY_CODE[this.code];
  }
}

export class ConfigError extends BackupError {
  override readonly name = 'ConfigError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIG_INVALID', message, options);
  }
}

export class InvalidNameError extends BackupError {
  override readonly name = 'InvalidNameError';
  constructor(message: string) {
    super('INVALID_NAME', message);
  }
}

export class SignatureError extends BackupError {
  override readonly name = 'SignatureError';
}

/** The code of any thrown value: a BackupError's own, INTERNAL for everything else. */
export function errorCodeOf(error: unknown): ErrorCode {
  return error instanceof BackupError ? error.code : 'INTERNAL';
}
