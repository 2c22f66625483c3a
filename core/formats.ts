// What the function and the agent must agree on to name an object: the engines' names, their dumps' extensions,
// compressions. All else an engine knows is the agent's (agent/engines/); the extension is here because the function,
// which never imports agent code, names the objects.

export const ENGINE_NAMES = ['mysql', 'mongodb', 'postgres', 'sqlite'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

export const COMPRESSIONS = ['gzip', 'zstd'] as const;
export type CompressionAlgorithm = (typeof COMPRESSIONS)[number];

const DUMP_EXTENSION = {
  mysql: '.sql',
  mongodb: '.archive',
  postgres: '.sql',
  sqlite: '.sql',
} as const satisfies Record<EngineName, string>;

export const COMPRESSION_EXTENSION = {
  gzip: '.gz',
  zstd: '.zst',
} as const satisfies Record<CompressionAlgorithm, string>;

/** age's own extension, last: `gcloud storage cat … | age -d | gunzip` reads the name from right to left. */
export const ENCRYPTED_EXTENSION = '.age';

/** `.sql.gz`, `.archive.zst`, `.sql.gz.age`, …: the object name's extension tells how to restore it. */
export function backupExtension(
  engine: EngineName,
  compression: CompressionAlgorithm,
  encrypted = false,
): string {
  return DUMP_EXTENSION[engine] + COMPRESSION_EXTENSION[compression] + (encrypted ? ENCRYPTED_EXTENSION : '');
}

/** Every extension a backup object can carry, longest first so parsing takes the most specific. */
export const BACKUP_EXTENSIONS: readonly string[] = [
  ...new Set(
    ENGINE_NAMES.flatMap((engine) =>
      COMPRESSIONS.flatMap((compression) =>
        [false, true].map((encrypted) => backupExtension(engine, compression, encrypted)),
      ),
    ),
  ),
].sort((a, b) => b.length - a.length);

/** Whether an object's name says it is encrypted with age. */
export function isEncrypted(objectName: string): boolean {
  return objectName.endsWith(ENCRYPTED_EXTENSION);
}

/** How an object of `engine` was compressed, read from its name's extension; null when it is not such a backup. */
export function compressionOf(objectName: string, engine: EngineName): CompressionAlgorithm | null {
  const encrypted = isEncrypted(objectName);
  return (
    COMPRESSIONS.find((compression) =>
      objectName.endsWith(backupExtension(engine, compression, encrypted)),
    ) ?? null
  );
}
