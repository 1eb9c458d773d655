/**
 * Composition of the federation endpoints for `chatlas serve` (issue 11): the identity from the
 * store, remote keys through the crawler's guarded network layer, verified origins recorded as
 * discoveries, and the room index as a Matrix directory (Matrix rooms only, through the same
 * search and visibility rules as the site and API).
 */
import type { Logger } from 'pino';
import type { Db } from '../../db/client.ts';
import type { NetContext } from '../../crawler/net/context.ts';
import type { NormaliseOptions } from '../../crawler/discover/domain-name.ts';
import { searchDirectory } from '../../db/room-index/search-directory.ts';
import { insertDiscoveries } from '../../db/queries/frontier/insert-discoveries.ts';
import type { MatrixIdentity } from '../../federation/identity.ts';
import { createIdentitySource, type IdentitySource } from '../../federation/identity-source.ts';
import { createRemoteKeys } from '../../federation/remote-keys.ts';
import { createOriginRecorder } from '../../federation/record-origins.ts';
import { createFederationHandler, type FederationHandler } from '../../federation/federation-handler.ts';
import type { DirectorySource } from '../../federation/public-rooms.ts';
import type { FederationConfig } from '../../federation/config.ts';


/** The store's room search as a Matrix directory source. */
export function storeDirectory(db: Db): DirectorySource {
  return async (q) => {
    // The directory's own search and ranking; rooms known to be local-only are not offered to other servers.
    const page = await searchDirectory(db, { q: q.term, protocol: 'matrix', type: q.type, limit: q.limit, page: q.page, federatingOnly: true });
    return {
      total: page.total,
      rooms: page.rows.map((r) => ({
        roomId: r.room_id, canonicalAlias: r.address, name: r.name, topic: r.topic, members: r.members,
        worldReadable: r.world_readable, guestCanJoin: r.guest_can_join, joinRule: r.join_rule, avatarUrl: r.avatar_url, roomType: r.room_type,
      })),
    };
  };
}

/** Options of {@link createFederationEndpoint}. */
export interface FederationEndpointOptions {
  db: Db;
  net: NetContext;
  config: FederationConfig;
  normalise: NormaliseOptions;
  version: string;
  logger: Logger;
  /** The identity, shared with the crawler (serve passes it); absent: read from the store here. */
  identity?: IdentitySource;
  /**
   * The clock (ms): when the identity is read again, and what the handler signs and checks
   * validity with. Tests pass a fake one to see a rotation picked up without waiting.
   * @default Date.now
   */
  now?: () => number;
}

/**
 * The federation handler, or null when no identity is configured. Creates the signing key on the
 * first start (every process of the store then shares it).
 */
export async function createFederationEndpoint(options: FederationEndpointOptions): Promise<{ handler: FederationHandler; identity: MatrixIdentity } | null> {
  const { config, db } = options;
  const now = options.now ?? Date.now;
  if (!config.matrixServerName) return null;
  // The same identity source as the crawler's when serve passes it; else one of its own.
  const source = options.identity ?? await createIdentitySource(db, config.matrixServerName, {
    now,
    onChange: (next, previous) => options.logger.info({ serverName: config.matrixServerName, keyId: next.current.keyId, previous: previous.current.keyId }, 'federation key rotated'),
    // The key already held stays valid (its validity is ours to publish): serve it, log, try again next round.
    onError: (error) => options.logger.error({ err: error }, 'could not read the federation identity again; keeping the current key'),
  });
  const identity = await source.current();
  const handler = createFederationHandler({
    serverName: config.matrixServerName,
    keys: async () => {
      const id = await source.current();
      return { current: id.current, old: id.oldKeys };
    },
    remoteKeys: createRemoteKeys({ net: options.net, fetchesPerMinute: config.keyFetchesPerMinute, now }),
    version: options.version,
    now,
    delegateTo: config.matrixDelegate,
    directory: storeDirectory(db),
    onOrigin: createOriginRecorder({
      insert: (d) => insertDiscoveries(db, d),
      normalise: options.normalise,
      now,
      onError: (error) => options.logger.error({ err: error }, 'could not record a federation origin'),
    }),
  });
  return { handler, identity };
}
