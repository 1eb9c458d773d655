/**
 * Matrix server and spec versions.
 *
 * Spec: Matrix Specification v1.16
 * - Server-Server API `GET /_matrix/federation/v1/version`:
 *   https://spec.matrix.org/v1.16/server-server-api/#get_matrixfederationv1version
 * - Client-Server API `GET /_matrix/client/versions`:
 *   https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientversions
 */
import { ProbeError } from '../errors.ts';
import { isObject, parseJsonObject, str } from './matrix-json.ts';

/** What `/_matrix/federation/v1/version` reports. Both fields are optional in the spec. */
export interface FederationVersion {
  /** `server.name` as sent (not normalised), or ''. */
  name: string;
  /** `server.version` as sent, or ''. */
  version: string;
}

/** Parse `/_matrix/federation/v1/version`. */
export function parseFederationVersion(text: string): FederationVersion | ProbeError {
  const doc = parseJsonObject(text, 64 * 1024);
  if (doc instanceof ProbeError) return doc;
  const server = doc['server'];
  if (!isObject(server)) return new ProbeError('json.schema', '"server" is missing or not an object');
  return { name: str(server['name'], 100).trim(), version: str(server['version'], 200).trim() };
}

/** What `/_matrix/client/versions` reports. */
export interface ClientVersions {
  /** Spec versions (`v1.11`, `r0.6.1`), in the order sent, deduplicated. */
  versions: string[];
  /** Unstable features switched on (`true`), sorted. */
  unstableFeatures: string[];
}

/** Most entries kept from either list. @default 500 */
export const MAX_VERSION_ENTRIES = 500;

/** Parse `/_matrix/client/versions`. `versions` is required by the spec. */
export function parseClientVersions(text: string): ClientVersions | ProbeError {
  const doc = parseJsonObject(text, 256 * 1024);
  if (doc instanceof ProbeError) return doc;
  const list = doc['versions'];
  if (!Array.isArray(list)) return new ProbeError('json.schema', '"versions" is missing or not an array');
  const versions = [...new Set(list.filter((v): v is string => typeof v === 'string' && v.length <= 50))].slice(0, MAX_VERSION_ENTRIES);
  const flags = doc['unstable_features'];
  const unstableFeatures = isObject(flags)
    ? Object.entries(flags).filter(([k, v]) => v === true && k.length <= 200).map(([k]) => k).sort().slice(0, MAX_VERSION_ENTRIES)
    : [];
  return { versions, unstableFeatures };
}
