/**
 * The federation identity's configuration: the Matrix server name Chatlas federates as, and how
 * it is delegated. Read by `serve` (which answers the federation endpoints), `crawl` and `probe`
 * (which sign their federation requests) and `keys` (rotation). One table: flag > env > default.
 */
import { z } from 'zod';
import { resolveConfig, type ConfigOf, type ConfigSources } from '../lib/config-table.ts';
import { ProbeError } from '../crawler/errors.ts';
import { parseServerName } from '../crawler/protocol/matrix-server-name.ts';

/** A Matrix server name (spec appendix "Server Name"), or '' for none. */
const serverName = z.string().trim().transform((s, ctx) => {
  if (s === '') return '';
  const parsed = parseServerName(s);
  if (parsed instanceof ProbeError) {
    ctx.addIssue({ code: 'custom', message: `not a Matrix server name: ${parsed.message}` });
    return z.NEVER;
  }
  return s;
});

/** The federation field table. */
export const federationConfigTable = {
  /**
   * The Matrix server name Chatlas federates as; '' = no federation identity (the federation
   * directory of other servers is not read, the federation endpoints are not served).
   * @default ''
   * @example 'chatlas.example.org'
   */
  matrixServerName: {
    env: 'CHATLAS_MATRIX_SERVER_NAME',
    flag: 'matrix-server-name',
    schema: serverName,
    default: '',
    doc: 'Matrix server name Chatlas federates as (signs federation requests, serves its keys and a room directory); empty = no federation identity. Keys are kept in the store.',
  },
  /**
   * `m.server` served at `/.well-known/matrix/server` (`host[:port]`), when the TLS proxy in front
   * of `serve` is not on port 8448 of the server name; '' = not served.
   * @default ''
   */
  matrixDelegate: {
    env: 'CHATLAS_MATRIX_DELEGATE',
    flag: 'matrix-delegate',
    schema: serverName,
    default: '',
    doc: 'host[:port] announced in /.well-known/matrix/server (delegation to the TLS proxy in front of serve); empty = not served.',
  },
  /** Key fetches for inbound signed requests, per minute, all origins together. @default 60 */
  keyFetchesPerMinute: {
    env: 'CHATLAS_MATRIX_KEY_FETCHES_PER_MINUTE',
    schema: z.coerce.number().int().min(1).max(10_000),
    default: 60,
    doc: 'Most key fetches per minute that inbound signed requests may trigger (so Chatlas cannot be made to dial out at will).',
  },
};

export type FederationConfig = ConfigOf<typeof federationConfigTable>;

/** @throws {ConfigError} quoting the bad value. */
export function loadFederationConfig(sources: ConfigSources): FederationConfig {
  return resolveConfig(federationConfigTable, sources);
}
