// A bucket's lifecycle rules and retention policy as the JSON API's bucket resource carries them, validated.
import { z } from 'zod';
import { badRequest } from '../json-errors.js';

/** Storage classes from warmest to coldest; lifecycle only moves an object colder. */
export const STORAGE_CLASSES = ['STANDARD', 'NEARLINE', 'COLDLINE', 'ARCHIVE'] as const;

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written YYYY-MM-DD');
const days = z.number().int().nonnegative();

// The conditions of the JSON API's bucket resource (lifecycle.rule[].condition); matchesPattern and the
// rest are refused by name rather than ignored, so a rule never silently does less than it says.
const conditionSchema = z
  .strictObject({
    age: days.optional(),
    createdBefore: date.optional(),
    customTimeBefore: date.optional(),
    daysSinceCustomTime: days.optional(),
    daysSinceNoncurrentTime: days.optional(),
    noncurrentTimeBefore: date.optional(),
    isLive: z.boolean().optional(),
    matchesPrefix: z.array(z.string()).optional(),
    matchesSuffix: z.array(z.string()).optional(),
    matchesStorageClass: z.array(z.enum(STORAGE_CLASSES)).optional(),
    numNewerVersions: days.optional(),
  })
  .refine((condition) => Object.keys(condition).length > 0, 'a rule needs at least one condition');

const actionSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('Delete') }),
  z.strictObject({ type: z.literal('SetStorageClass'), storageClass: z.enum(STORAGE_CLASSES) }),
]);

const ruleSchema = z.strictObject({ action: actionSchema, condition: conditionSchema });

export type LifecycleRule = z.infer<typeof ruleSchema>;
export type LifecycleCondition = z.infer<typeof conditionSchema>;

const lifecycleSchema = z.strictObject({ rule: z.array(ruleSchema).optional() }).nullable();

/** The longest period the service accepts: 100 years, in seconds. */
const MAX_RETENTION_SECONDS = 3_155_760_000;

// retentionPeriod is an int64, which JSON API clients send as a string.
const retentionSchema = z
  .looseObject({
    retentionPeriod: z.union([z.number(), z.string().regex(/^\d+$/)]).transform(Number),
  })
  .refine(
    ({ retentionPeriod }) => Number.isInteger(retentionPeriod) && retentionPeriod > 0,
    'retentionPeriod must be a whole number of seconds above 0',
  )
  .refine(
    ({ retentionPeriod }) => retentionPeriod <= MAX_RETENTION_SECONDS,
    `retentionPeriod must be at most ${MAX_RETENTION_SECONDS} seconds`,
  )
  .nullable();

export interface RetentionPolicy {
  /** Seconds after its creation during which an object can be neither deleted nor replaced. */
  retentionPeriod: number;
  effectiveTime: string;
}

/** Reads `lifecycle` from a bucket resource: the rules, `[]` to remove them, undefined when absent. */
export function readLifecycle(body: Record<string, unknown>): LifecycleRule[] | undefined {
  if (body.lifecycle === undefined) return undefined;
  const parsed = lifecycleSchema.safeParse(body.lifecycle);
  if (!parsed.success) throw badRequest(`Invalid lifecycle configuration: ${describe(parsed.error)}`);
  return parsed.data?.rule ?? [];
}

/** Reads `retentionPolicy`: its period in seconds, null to remove it, undefined when absent. */
export function readRetentionPeriod(body: Record<string, unknown>): number | null | undefined {
  if (body.retentionPolicy === undefined) return undefined;
  const parsed = retentionSchema.safeParse(body.retentionPolicy);
  if (!parsed.success) throw badRequest(`Invalid retentionPolicy: ${describe(parsed.error)}`);
  return parsed.data?.retentionPeriod ?? null;
}

function describe(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(top)'}: ${issue.message}`).join('; ');
}
