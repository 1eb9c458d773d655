/**
 * Fixture folder → parser. `fixtures.test.ts` runs every
 * `tests/fixtures/<spec>/<name>.input.<ext>` through the parser registered
 * for `<spec>` and compares with `<name>.expected.json`.
 * Add a line per spec folder; a folder without an entry fails the runner.
 *
 * A parser receives the input file's text and returns any JSON-serialisable
 * value; a returned ProbeError is compared as `{ "error": code }`.
 */
import { parseServerName } from '../../../../crawler/protocol/matrix-server-name.ts';
import { parseWellKnownClient, parseWellKnownServer, parseWellKnownSupport } from '../../../../crawler/protocol/matrix-well-known.ts';
import { parseClientVersions, parseFederationVersion } from '../../../../crawler/protocol/matrix-versions.ts';
import { parseLoginFlows } from '../../../../crawler/protocol/matrix-login.ts';
import { parseAuthMetadata, parseRegisterResponse } from '../../../../crawler/protocol/matrix-register.ts';
import { parseServerKeys } from '../../../../crawler/protocol/matrix-keys.ts';
import { parseHierarchyPage, parsePublicRoomsPage, parsePublicRoomsResponse } from '../../../../crawler/protocol/matrix-rooms.ts';
import { parseLocalUserCount } from '../../../../crawler/protocol/matrix-user-count.ts';
import { identifySoftware } from '../../../../crawler/identify/software.ts';
import { MATRIX_RULES } from '../../../../crawler/identify/matrix-rules.ts';
import { softwareRole } from '../../../../crawler/software-role.ts';
import { XMPP_PARSERS } from './xmpp-parsers.ts';

export type FixtureParser = (input: string) => unknown;

/** An HTTP answer captured with its status: `{ "status": 401, "body": {...} }`. */
function envelope(input: string): { status: number; text: string; rest: Record<string, unknown> } {
  const doc = JSON.parse(input) as Record<string, unknown>;
  if (typeof doc['status'] !== 'number' && !('body' in doc)) throw new Error('envelope fixture needs "status"/"body"');
  return { status: doc['status'] as number, text: typeof doc['body'] === 'string' ? doc['body'] : JSON.stringify(doc['body']), rest: doc };
}

export const PARSERS: Record<string, FixtureParser> = {
  // Matrix (crawler/protocol/matrix-*.ts)
  'matrix-server-name': (input) => input.split('\n').filter((l) => l !== '').map((line) => ({ input: line, result: parseServerName(line) })),
  'matrix-well-known-server': parseWellKnownServer,
  'matrix-well-known-client': parseWellKnownClient,
  'matrix-well-known-support': parseWellKnownSupport,
  // Federation version plus the identification the probe derives from it, and the role that
  // identification gives (a homeserver is `server`; crawler/software-role.ts).
  'matrix-federation-version': (input) => {
    const parsed = parseFederationVersion(input);
    if (parsed instanceof Error) return parsed;
    const identified = identifySoftware(parsed.name, parsed.version, MATRIX_RULES);
    return { parsed, identified, role: softwareRole('matrix', identified.software) };
  },
  'matrix-client-versions': parseClientVersions,
  'matrix-login': parseLoginFlows,
  'matrix-register': (input) => { const e = envelope(input); return parseRegisterResponse(e.status, e.text); },
  'matrix-auth-metadata': parseAuthMetadata,
  // `{ serverName, now, body }`: expiry is judged at the capture time.
  'matrix-keys': (input) => {
    const e = envelope(input);
    return parseServerKeys(e.text, String(e.rest['serverName']), new Date(String(e.rest['now'])));
  },
  // A bare page, or `{ status, body }` for non-200 answers.
  'matrix-public-rooms': (input) => {
    const doc = JSON.parse(input) as Record<string, unknown>;
    if (typeof doc['status'] === 'number') { const e = envelope(input); return parsePublicRoomsResponse(e.status, e.text); }
    return parsePublicRoomsPage(input);
  },
  // The server-server directory (GET/POST /_matrix/federation/v1/publicRooms, signed): the same
  // PublishedRoomsChunk page as the client one, so the same reader until the probe reads it apart.
  'matrix-federation-public-rooms': (input) => { const e = envelope(input); return parsePublicRoomsResponse(e.status, e.text); },
  'matrix-hierarchy': parseHierarchyPage,
  'matrix-user-count': parseLocalUserCount,
  // XMPP (crawler/protocol/{rfc6120,xep*}-*.ts): rfc6120-features, xep0030-disco, xep0045-muc,
  // xep0077-register, xep0092-version, xep0156-host-meta, xep0157-contact; adapters in xmpp-parsers.ts.
  ...XMPP_PARSERS,
};
