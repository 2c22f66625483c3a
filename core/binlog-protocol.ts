// The binary-log half of the agent's wire protocol: which closed logs a target's server holds, and one of them
// shipped into a create-only session — its bytes counted and hashed as a backup's, and what its own events say of
// it (the server that wrote it, its first and last event's times, the log its closing Rotate event names next).

import { z } from 'zod';
import {
  binlogFileSchema,
  binlogServerSchema,
  jobSpecSchema,
  jobStatusSchema,
  nameSchema,
  streamResultSchema,
} from './protocol.js';

/** A closed log as `SHOW BINARY LOGS` lists it. */
const closedLogSchema = z.strictObject({
  file: binlogFileSchema,
  size: z.int().nonnegative(),
});

/** The answer to GET binlogs: the server's closed logs, oldest first, without the one it writes to now. */
export const closedLogsSchema = z.strictObject({
  targetId: nameSchema,
  server: binlogServerSchema,
  /** The agent's clock just before FLUSH BINARY LOGS: every transaction committed before it is in a closed log. */
  flushedAt: z.iso.datetime(),
  logs: z.array(closedLogSchema),
});
export type ClosedLogs = z.infer<typeof closedLogsSchema>;

/**
 * POST binlogs: ship one closed log, of the size the server listed, into the session the function opened (a
 * capability never logged), compressed as a backup is, and encrypted where its object is named `….age`.
 */
export const shipRequestSchema = jobSpecSchema
  .pick({ uploadUri: true, compression: true, encrypted: true })
  .extend({ file: binlogFileSchema, size: z.int().nonnegative() });
export type ShipRequest = z.infer<typeof shipRequestSchema>;

/**
 * What the log's own bytes say of it, read from its head (the Format_description event) and its tail (the last
 * event, which must end exactly at the log's size): a closed log ends in a Rotate event naming the next log, or in a
 * Stop event when its server shut down (the next log is then the following number).
 */
export const shippedLogFactsSchema = z.strictObject({
  file: binlogFileSchema,
  size: z.int().nonnegative(),
  serverId: z.int().nonnegative(),
  firstEventAt: z.iso.datetime(),
  lastEventAt: z.iso.datetime(),
  ending: z.enum(['rotate', 'stop']),
  /** The log the closing Rotate event names; absent after a Stop event. */
  next: binlogFileSchema.optional(),
});
export type ShippedLogFacts = z.infer<typeof shippedLogFactsSchema>;

/** The outcome of one log's shipping, in a job's terms, with the log's facts when it succeeded. */
export const shipResultSchema = streamResultSchema.extend({
  recipients: jobStatusSchema.shape.recipients,
  log: shippedLogFactsSchema.optional(),
});
export type ShipResult = z.infer<typeof shipResultSchema>;
