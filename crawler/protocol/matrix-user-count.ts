/**
 * Local user count of conduwuit and its forks (not part of the Matrix spec).
 *
 * Source: matrix-construct/tuwunel `src/api/router/...` `tuwunel_local_user_count`
 * (`GET /_tuwunel/local_user_count` → `{"count": N}`, active local users only,
 * disabled when federation is off); conduwuit and continuwuity serve the same
 * body at `/_conduwuit/local_user_count` and `/_continuwuity/local_user_count`.
 */
import { ProbeError } from '../errors.ts';
import { nonNegInt, parseJsonObject } from './matrix-json.ts';

/** Parse `{"count": N}`. */
export function parseLocalUserCount(text: string): number | ProbeError {
  const doc = parseJsonObject(text, 4096);
  if (doc instanceof ProbeError) return doc;
  const count = nonNegInt(doc['count']);
  return count === null ? new ProbeError('json.schema', '"count" is missing or not a non-negative integer') : count;
}
