// What a caller may ask of the `binlogs` function — which databases — from its query or JSON body.
import { nameList, requestFields } from '../http/request-fields.js';

export interface BinlogsRequest {
  /** Database names or target ids; every pointInTime target when omitted. */
  databases?: string[];
}

export function parseBinlogsRequest(query: Record<string, unknown>, body: unknown): BinlogsRequest {
  const databases = nameList(requestFields(query, body).databases, 'databases');
  return databases ? { databases } : {};
}
