/**
 * TEST DOUBLE, scoped to the crawl-loop tests: a minimal Matrix probe used
 * while crawler/probe/matrix.ts is not in the tree. It is not a "noop": it
 * speaks real HTTPS through crawler/net (our DNS, the address guard, the
 * bounded fetch) to the simulated federation and turns what it gets into a
 * ProbeResult, so the loop, the store and the rollups see real data flow.
 * It asks two things per server, on the default federation port 8448:
 * - GET /_matrix/federation/v1/version → software and version
 *   (https://spec.matrix.org/v1.16/server-server-api/#get_matrixfederationv1version);
 * - GET /_matrix/client/v3/publicRooms → rooms, and their aliases' servers as discoveries
 *   (https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv3publicrooms).
 */
import { fetchBounded } from '../../../crawler/net/http.ts';
import type { NetContext } from '../../../crawler/net/context.ts';
import { ProbeError } from '../../../crawler/errors.ts';
import { parseFederationVersion } from '../../../crawler/protocol/matrix-versions.ts';
import type { Observation, ProbeResult, RoomSnapshot, ServerStatus } from '../../../crawler/types.ts';
import type { ProbeFn } from '../../../jobs/crawl/crawl.ts';

const UNREACHABLE = /^(dns|net|tls)\./;

export function createSimMatrixProbe(ctx: NetContext): ProbeFn {
  return async (domain, protocol, { passId, now }) => {
    const observations: Observation[] = [];
    const rooms: RoomSnapshot[] = [];
    const discoveries: ProbeResult['discoveries'] = [];
    let status: ServerStatus = 'ok';
    let software = 'unknown';
    let versionRaw = '';
    let error = '';
    const base = `https://${domain}:8448`;
    const t0 = Date.now();
    try {
      const res = await fetchBounded(ctx, `${base}/_matrix/federation/v1/version`, { accept: 'application/json', timeoutMs: 3000 });
      const v = res.status === 200 ? parseFederationVersion(res.bodyText) : new ProbeError('http.status', `HTTP ${res.status}`);
      if (v instanceof ProbeError) throw v;
      software = v.name.toLowerCase() || 'unknown';
      versionRaw = v.version;
      observations.push({ passId, domain, protocol, step: 'matrix.federation-version', observedAt: now, outcome: 'ok', durationMs: Date.now() - t0, facts: { ...v }, raw: res.bodyText, error: '' });
      const r = await fetchBounded(ctx, `${base}/_matrix/client/v3/publicRooms`, { accept: 'application/json', timeoutMs: 3000 });
      const chunk = r.status === 200 ? (JSON.parse(r.bodyText) as { chunk?: Array<Record<string, unknown>> }).chunk ?? [] : [];
      for (const room of chunk.slice(0, 100)) {
        const alias = typeof room.canonical_alias === 'string' ? room.canonical_alias : '';
        rooms.push({
          passId, protocol, roomId: String(room.room_id), server: domain, address: alias, name: String(room.name ?? ''), topic: '',
          members: Number(room.num_joined_members ?? 0), avatarUrl: '', language: '', worldReadable: null, guestCanJoin: null,
          joinRule: 'public', roomType: 'room', children: [], observedAt: now,
        });
        const server = alias.slice(alias.indexOf(':') + 1);
        if (alias && server !== domain) discoveries.push({ domain: server, protocol: 'matrix', via: 'room-alias', sourceDomain: domain, foundAt: now });
      }
    } catch (e) {
      const pe = ProbeError.from(e);
      status = UNREACHABLE.test(pe.code) ? 'unreachable' : 'error';
      error = `${pe.code}: ${pe.message}`;
      observations.push({ passId, domain, protocol, step: 'matrix.federation-version', observedAt: now, outcome: pe.code, durationMs: Date.now() - t0, facts: {}, raw: '', error });
    }
    return {
      snapshot: {
        passId, domain, protocol, observedAt: now, status, software, versionRaw,
        version: /^\d+\.\d+\.\d+/.exec(versionRaw)?.[0] ?? '', registration: 'unknown', features: [], specVersions: [], tls: null,
        dnssec: null, dane: null, ipv4: status === 'ok' ? true : null, ipv6: null, publicRooms: rooms.length,
        publicMembers: rooms.reduce((a, r) => a + r.members, 0), users: null, endpoint: `${domain}:8448`, error, report: [],
      },
      observations, rooms, discoveries,
    };
  };
}
