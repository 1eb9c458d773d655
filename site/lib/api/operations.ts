/**
 * The operation table of API v1: every route's method, path, parameter,
 * body and response schemas. Route files validate with these schemas and
 * `openApiDocument()` documents them, so the two cannot disagree.
 */
import { z } from 'zod';
import { CHATLAS_NOINDEX_MARKER, MRS_NOINDEX_MARKER } from '../../../crawler/protocol/room-opt-out.ts';
import { MIN_SERVERS_PER_NAME } from '../../../db/queries/software/software-group-sql.ts';
import {
  domainSchema, overviewParams, protocolSchema, rangeSchema, roomSearchParams, serverListParams, seriesParams, softwareSchema,
} from '../params.ts';
import { buildOpenApi, type ApiLink, type ApiOperation, type ApiResponseSpec } from './openapi.ts';
import { signedCursorSchema } from './cursor.ts';
import { problemSchema, registrationChangesSchema, registrationCreatedSchema, registrationIdParams, registrationRequestSchema, registrationSchema, registrationVerifiedSchema, verifyRequestSchema } from './schemas.ts';
import { directoryExposureSchema, roomPageSchema, serverDetailSchema, serverListSchema, seriesSchema, softwareDetailSchema, softwareListSchema, statsSchema } from './response-schemas.ts';
import { guidePageSchema, guideRubricSchema } from './guide-response.ts';
import { guideQuerySchema } from '../../../guide/query.ts';
import { GUIDE_EXPORT_COLUMN_DOCS } from '../../../guide/export-columns.ts';

/** `GET /api/v1/stats/directories` query: none. */
export const directoryParams = z.object({}).strict();

/** `GET /api/v1/software` query. */
export const softwareListParams = z.object({ protocol: protocolSchema.optional() });
/** `/software/{name}` path. */
export const softwarePath = z.object({ name: softwareSchema });
/** `/software/{name}` query. */
export const softwareDetailQuery = z.object({ range: rangeSchema, protocol: protocolSchema.optional() });
/** `/servers/{domain}` and `/badge/{domain}.svg` path. */
export const serverPath = z.object({ domain: domainSchema });
/** `/servers/{domain}` query. */
export const serverDetailQuery = z.object({ range: rangeSchema });
/**
 * `GET /api/v1/servers` query: the pages' filters and sort, with the API's
 * signed cursor (site/lib/api/cursor.ts) in place of the pages' plain one.
 */
export const apiServerListParams = serverListParams.extend({ cursor: signedCursorSchema.optional() });
/** `GET /api/v1/guide/rubric` query: none. */
export const guideRubricParams = z.object({}).strict();
/** `/export/{file}` path. */
export const exportPath = z.object({
  file: z.enum(['servers.csv', 'servers.ndjson', 'rooms.csv', 'rooms.ndjson']).describe('What and in which format.'),
});

const problemOf = (status: number, description: string): ApiResponseSpec => ({ status, description, schema: problemSchema, contentType: 'application/problem+json' });
const ok = (schema: z.ZodType, description = 'OK'): ApiResponseSpec => ({ status: 200, description, schema });
/**
 * Astro's CSRF guard (`security.checkOrigin`) answers 403 text/plain to a
 * POST or PATCH that has no Content-Type or a form one and no matching
 * Origin, before our code runs. API clients send `Content-Type: application/json`.
 */
const csrfRefusal: ApiResponseSpec = { status: 403, description: 'Refused by the cross-site form guard: send Content-Type: application/json.', contentType: 'text/plain', schema: z.string() };
const badParam = problemOf(400, 'A parameter is not valid (the problem names it and quotes the value).');
const notFound = problemOf(404, 'Unknown, hidden or opted out.');

/** A link that passes the id of a registration in this response's body on. */
const byRegistrationId = (operationId: string, description: string): ApiLink => ({ operationId, parameters: { id: '$response.body#/registration/id' }, description });
/** Links from a registration in the body to reading and verifying it. */
const registrationLinks = {
  GetRegistration: byRegistrationId('getRegistration', 'Read the registration and its state.'),
  VerifyRegistration: byRegistrationId('verifyRegistration', 'Check the published token.'),
  UpdateRegistration: byRegistrationId('updateRegistration', 'Change it, with the management secret verify returns.'),
};

/** Every operation of API v1. */
/** What the software keys of the software endpoints mean (crawler/software-key.ts, softwareGroupSql). */
const SOFTWARE_KEYS_DOC = `\`unknown\`: the server reported no software name. \`unrecognised\`: it reported a name that no rule of Chatlas knows; such a name is listed on its own, as \`unrecognised:<name>\`, only when it is plain (ASCII letters, digits, \`-_.\` and spaces) and at least ${MIN_SERVERS_PER_NAME} servers of the protocol report it.`;

/** Which rooms the directory holds: the opt-out markers and local-only rooms (crawler/protocol/room-opt-out.ts). */
const ROOMS_DOC = `Only rooms that a server lists in its public directory. A room whose topic (Matrix) or description or subject (XMPP) contains \`${MRS_NOINDEX_MARKER}\` (the Matrix Rooms Search marker) or \`${CHATLAS_NOINDEX_MARKER}\` (any case) is never stored. \`federates: false\` marks a local-only room (Matrix \`m.federate: false\`, seen as missing from its server's federation directory): only users of that server can join it; \`null\` when not known.`;

/** The guide's filters and answer, in words. */
const GUIDE_DOC = 'The guide of /choose: every server Chatlas found up at least once in the last 90 days (hidden and opted-out ones never), with its grade (A, B, C from the rubric at `/api/v1/guide/rubric`), each criterion met, missed or unknown with the measured value, when it was measured and the fix for a miss, and the facts behind it. A filter asks for a measured fact: a server whose fact is not known does not pass it and is counted in `unknownExcluded` instead, but it is never graded down for it. Servers down at their latest probe are left out unless `down=true`. Follow `nextCursor` (or the Link rel="next" header) with the same filters and sort.';

/** What the exports hold, with the guide's columns of the server export. */
const EXPORT_DOC = `CSV cells that a spreadsheet would read as formulas are prefixed with an apostrophe. The server export ends with the guide's columns (empty when the guide does not list the server): ${Object.entries(GUIDE_EXPORT_COLUMN_DOCS).map(([name, doc]) => `\`${name}\`: ${doc}`).join(' ')}`;

export const OPERATIONS: readonly ApiOperation[] = [
  {
    method: 'get', path: '/api/v1/stats', operationId: 'getStats', tag: 'statistics',
    summary: 'Network totals', description: 'Headline numbers as of the latest complete day, and the same numbers one range earlier.',
    query: overviewParams, responses: [ok(statsSchema), badParam],
  },
  {
    method: 'get', path: '/api/v1/stats/series', operationId: 'getStatsSeries', tag: 'statistics',
    summary: 'One metric over time', description: 'Per bucket and protocol, with the denominator of a share and the coverage.',
    query: seriesParams, responses: [ok(seriesSchema), badParam],
  },
  {
    method: 'get', path: '/api/v1/stats/directories', operationId: 'getDirectoryExposure', tag: 'statistics',
    summary: 'How Matrix servers share their room directory',
    description: 'Reachable Matrix servers, each with its latest probe, by which public room directory answered Chatlas: the client one without a token, the federation one to signed requests (read when Chatlas has a federation identity), both or none; over every server and per implementation.',
    query: directoryParams, responses: [ok(directoryExposureSchema), badParam],
  },
  {
    method: 'get', path: '/api/v1/software', operationId: 'listSoftware', tag: 'software',
    summary: 'Implementations side by side', description: SOFTWARE_KEYS_DOC, query: softwareListParams,
    responses: [
      { ...ok(softwareListSchema), links: { GetSoftware: { operationId: 'getSoftware', parameters: { name: '$response.body#/software/0/software' }, description: 'The first implementation listed.' } } },
      badParam,
    ],
  },
  {
    method: 'get', path: '/api/v1/software/{name}', operationId: 'getSoftware', tag: 'software',
    summary: 'One implementation, its versions over time and its measured profile', pathParams: softwarePath, query: softwareDetailQuery,
    responses: [ok(softwareDetailSchema), badParam, notFound],
  },
  {
    method: 'get', path: '/api/v1/servers', operationId: 'listServers', tag: 'servers',
    summary: 'Servers, filtered and sorted, in cursor pages', description: 'Follow `nextCursor` (or the Link rel="next" header) for the next page, with the same filters and sort.',
    query: apiServerListParams,
    responses: [
      { ...ok(serverListSchema), links: { GetServer: { operationId: 'getServer', parameters: { domain: '$response.body#/servers/0/domain' }, description: 'The first server of the page.' } } },
      badParam,
      problemOf(404, '`invalid-cursor`: the cursor is well-formed but names no page (not issued by this server, issued before it restarted, or for another sort or order).'),
    ],
  },
  {
    method: 'get', path: '/api/v1/servers/{domain}', operationId: 'getServer', tag: 'servers',
    summary: 'One server: latest facts, health report, history, discovery', pathParams: serverPath, query: serverDetailQuery,
    responses: [
      { ...ok(serverDetailSchema), links: { GetBadge: { operationId: 'getBadge', parameters: { domain: '$response.body#/domain' }, description: 'Its status badge.' } } },
      badParam, notFound,
    ],
  },
  {
    method: 'get', path: '/api/v1/rooms', operationId: 'searchRooms', tag: 'rooms',
    summary: 'Search the room directory', description: ROOMS_DOC, query: roomSearchParams, responses: [ok(roomPageSchema), badParam],
  },
  {
    method: 'get', path: '/api/v1/guide', operationId: 'getGuide', tag: 'guide',
    summary: 'Servers to join, filtered on measured facts and graded',
    description: GUIDE_DOC,
    query: guideQuerySchema,
    responses: [
      { ...ok(guidePageSchema), links: { GetServer: { operationId: 'getServer', parameters: { domain: '$response.body#/rows/0/domain' }, description: 'The first server of the page.' } } },
      badParam,
      problemOf(404, '`invalid-cursor`: the cursor is well-formed but names no page of this sort (issued for another sort, or not by Chatlas).'),
    ],
  },
  {
    method: 'get', path: '/api/v1/guide/rubric', operationId: 'getGuideRubric', tag: 'guide',
    summary: 'The rubric the guide grades with',
    description: 'Criteria (each with its tier, threshold in words, source and the kind of fact it reads), what a tier costs, the grade rules and the thresholds, read from the code that grades. Unknown is never a miss; there are no manual overrides.',
    query: guideRubricParams, responses: [ok(guideRubricSchema), badParam],
  },
  {
    method: 'get', path: '/api/v1/export/{file}', operationId: 'exportData', tag: 'exports',
    summary: 'Bulk export of servers or rooms (CSV or NDJSON, streamed)',
    description: EXPORT_DOC,
    pathParams: exportPath,
    responses: [
      { status: 200, description: 'The export, streamed.', contentType: ['text/csv', 'application/x-ndjson'], schema: z.string() },
      notFound,
    ],
  },
  {
    method: 'get', path: '/api/v1/badge/{domain}.svg', operationId: 'getBadge', tag: 'servers',
    summary: 'Status badge of one server (SVG)', pathParams: serverPath,
    responses: [
      { status: 200, description: 'The badge.', contentType: 'image/svg+xml', schema: z.string() },
      { status: 404, description: 'A "not listed" badge.', contentType: 'image/svg+xml', schema: z.string() },
    ],
  },
  {
    method: 'post', path: '/api/v1/registrations', operationId: 'createRegistration', tag: 'registration',
    summary: 'Register a server you run', description: 'Answers where to publish the ownership token (DNS TXT or HTTPS well-known) and by when.',
    body: registrationRequestSchema,
    responses: [
      { status: 201, description: 'Pending; prove ownership before the deadline.', schema: registrationCreatedSchema, headers: { Location: 'The registration.' }, links: registrationLinks },
      problemOf(400, 'A bad body: not JSON, or `domain` not of the documented form.'),
      problemOf(403, '`invalid-domain`: a well-formed name Chatlas does not list: reserved or documentation names (.test, example.org, …), or an xn-- label that is not valid IDNA.'),
      problemOf(413, 'Body too large.'), problemOf(415, 'Not application/json.'), csrfRefusal,
      problemOf(429, 'Rate limited (`rate-limited`), or too many registrations pending for this client or domain (`too-many-pending`): wait Retry-After seconds.'),
    ],
  },
  {
    method: 'get', path: '/api/v1/registrations/{id}', operationId: 'getRegistration', tag: 'registration',
    summary: 'A registration and its state', pathParams: registrationIdParams, responses: [ok(registrationSchema), notFound],
  },
  {
    method: 'patch', path: '/api/v1/registrations/{id}', operationId: 'updateRegistration', tag: 'registration',
    summary: 'Change description, contact, hidden rooms, or opt out (verified admins)', pathParams: registrationIdParams,
    body: registrationChangesSchema, bearer: true,
    responses: [
      ok(registrationSchema), problemOf(400, 'A bad body.'),
      problemOf(401, 'Missing or wrong management secret, or no registration with this id (the same answer, so ids cannot be probed).'),
      problemOf(404, 'The id is not a UUID.'),
      problemOf(409, 'Not verified.'), problemOf(413, 'Body too large.'), problemOf(415, 'Not application/json.'), csrfRefusal,
    ],
  },
  {
    method: 'post', path: '/api/v1/registrations/{id}/verify', operationId: 'verifyRegistration', tag: 'registration',
    summary: 'Check the published token now', pathParams: registrationIdParams,
    description: 'No body is needed; a JSON object (`{}`) may be sent and its members are ignored. A request without a JSON body must carry this site\'s own Origin, or the cross-site form guard refuses it (403).',
    body: verifyRequestSchema, bodyOptional: true,
    responses: [
      ok(registrationVerifiedSchema, 'Verified; the management secret is shown this once.'),
      problemOf(400, 'A body that is not a JSON object.'), csrfRefusal, notFound,
      problemOf(409, '`verification-failed`: the token is not published yet (the `evidence` says where Chatlas looked and what it found; publish it and ask again), or `conflict`: the registration is no longer pending.'),
      problemOf(410, 'Expired.'), problemOf(413, 'Body too large.'), problemOf(415, 'A body that is not application/json.'),
    ],
  },
  {
    method: 'get', path: '/api/v1/openapi.json', operationId: 'getOpenApi', tag: 'meta',
    summary: 'This document', responses: [ok(z.record(z.string(), z.unknown()))],
  },
];

/**
 * Version of the API document (bumped on any change to the operation table).
 * 1.1.0: parameters judged as sent (no blank-as-absent), case-insensitive
 * domain and software patterns, signed cursor documented (unknown: 404),
 * registration domain form documented (refusal by rule: 403), verification
 * not yet possible 409 (was 422), 405 with Allow for undocumented methods, links.
 * 1.2.0: the guide (`/api/v1/guide`, `/api/v1/guide/rubric`) and its columns in the server export;
 * `profile` in `/api/v1/software/{name}` (the measured profile of its servers beside the other implementations).
 */
export const API_VERSION = '1.2.0';

let cached: ReturnType<typeof buildOpenApi> | undefined;

/** The OpenAPI document (built once per process). */
export function openApiDocument() {
  cached ??= buildOpenApi(OPERATIONS, { version: API_VERSION });
  return cached;
}
