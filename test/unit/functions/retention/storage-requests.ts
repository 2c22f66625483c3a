// Every Cloud Storage JSON API request a Storage client sends, recorded as it leaves: how the retention tests see
// what the function attempted, whether or not the service would have accepted it.
import type { Storage } from '@google-cloud/storage';

type Interceptor = Storage['interceptors'][number];

export interface SentRequest {
  method: string;
  /** The object's name, for requests on one object. */
  object?: string;
  query: Record<string, unknown>;
  body: Record<string, unknown> | null;
}

export function recordRequests(storage: Storage): SentRequest[] {
  const sent: SentRequest[] = [];
  const interceptor: Interceptor = {
    request: (options) => {
      const match = /\/o\/([^/?]+)$/.exec(String('uri' in options ? options.uri : options.url));
      sent.push({
        method: options.method ?? 'GET',
        ...(match?.[1] && { object: decodeURIComponent(match[1]) }),
        query: (options.qs as Record<string, unknown>) ?? {},
        body: (options.json as Record<string, unknown>) ?? null,
      });
      // The options pass through unchanged: the interceptor only looks.
      return options as ReturnType<Interceptor['request']>;
    },
  };
  storage.interceptors.push(interceptor);
  return sent;
}

/** The customTimes the client sent for each object, in order. */
export function customTimesSent(sent: readonly SentRequest[]): Map<string, string[]> {
  const byObject = new Map<string, string[]>();
  for (const request of sent) {
    const customTime = request.body?.customTime;
    if (request.method !== 'PATCH' || !request.object || typeof customTime !== 'string') continue;
    byObject.set(request.object, [...(byObject.get(request.object) ?? []), customTime]);
  }
  return byObject;
}
