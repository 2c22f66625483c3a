// The client that opens forced (unconditioned) upload sessions, apart from the one every other call uses.
// @google-cloud/storage 7.x, asked for a resumable session without ifGenerationMatch, turns retries off by writing
// `maxRetries = 0` into the retry options its client shares with every call, and never puts it back: through the
// shared client, one forced run would leave a warm instance failing on the first 503 for the rest of its life.
import { type Bucket, Storage, type StorageOptions } from '@google-cloud/storage';

/** Placeholder the library keeps as the project id until it learns the real one; not a project to pass on. */
const UNKNOWN_PROJECT = '{{projectId}}';

const derived = new WeakMap<Storage, Storage>();

/** A second client for the same endpoint, credentials and project, whose retry options nothing else shares. */
function sessionClient(storage: Storage): Storage {
  let client = derived.get(storage);
  if (!client) {
    client = new Storage({
      apiEndpoint: storage.apiEndpoint,
      // The first client's own credentials object; the library types it more narrowly on the way in.
      authClient: storage.authClient as StorageOptions['authClient'],
      universeDomain: storage.universeDomain,
      ...(storage.useAuthWithCustomEndpoint !== undefined && {
        useAuthWithCustomEndpoint: storage.useAuthWithCustomEndpoint,
      }),
      ...(storage.projectId !== UNKNOWN_PROJECT && { projectId: storage.projectId }),
      retryOptions: { ...storage.retryOptions },
    });
    derived.set(storage, client);
  }
  return client;
}

/** `bucket` as seen through the client kept for forced sessions. */
export function forcedSessionBucket(bucket: Bucket): Bucket {
  return sessionClient(bucket.storage).bucket(bucket.name);
}
