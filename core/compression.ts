// How a backup is compressed: one rule for the algorithm and its level, shared by the function, the protocol
// and the agent, so a level the compressor would refuse is refused when the configuration is read.
import { z } from 'zod';

const DEFAULT_COMPRESSION_LEVEL = { gzip: 6, zstd: 3 } as const;

export const compressionSchema = z.discriminatedUnion('algorithm', [
  z.strictObject({
    algorithm: z.literal('gzip'),
    /** 1 (fastest) to 9 (smallest); 6 when omitted, as gzip's own default. */
    level: z.int().min(1).max(9).optional(),
  }),
  z.strictObject({
    algorithm: z.literal('zstd'),
    /** 1 to 19; 3 when omitted, as zstd's own default. */
    level: z.int().min(1).max(19).optional(),
  }),
]);
export type Compression = z.infer<typeof compressionSchema>;

/** The level to run the compressor at: the requested one, or the algorithm's default. */
export function compressionLevel(compression: Compression): number {
  return compression.level ?? DEFAULT_COMPRESSION_LEVEL[compression.algorithm];
}
