/**
 * Fixture capture from the REAL Synapse (TEST/DEV ONLY):
 *   node tests/harness/synapse-capture.ts <cert.pem> <key.pem>
 * Starts the test Synapse in several configurations, sets up rooms through
 * its client API, asks every endpoint the crawler asks (over TLS on
 * 127.21.0.1:8448, no token) and writes the bodies as fixture inputs under
 * tests/fixtures/matrix-<spec>/synapse-<version>-<case>.input.json.
 * The certificate must name `synapse.test` (any CA: the capture trusts it directly).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { installedSynapseVersion, startSynapse, SYNAPSE_ADDRESS, SYNAPSE_TLS_PORT, SYNAPSE_HTTPS_PORT, type SynapseHandle } from './synapse.ts';

const [certPath, keyPath] = process.argv.slice(2);
if (!certPath || !keyPath) throw new Error('usage: synapse-capture.ts <cert.pem> <key.pem>');
const certPem = readFileSync(certPath, 'utf8');
const keyPem = readFileSync(keyPath, 'utf8');
const FIXTURES = new URL('../fixtures/', import.meta.url).pathname;
const version = installedSynapseVersion();
const SERVER = 'synapse.test';

/** GET/POST over TLS without a token; returns status and raw body text. */
function tls(method: string, path: string, port = SYNAPSE_TLS_PORT, body?: unknown): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request({ host: SYNAPSE_ADDRESS, port, method, path, servername: SERVER, ca: certPem, timeout: 20_000,
      headers: data ? { 'content-type': 'application/json', 'content-length': data.length } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(data);
  });
}

/** Write one fixture input; `json` bodies are pretty-printed only when not needed verbatim. */
function save(spec: string, name: string, content: unknown): void {
  const dir = join(FIXTURES, spec);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `synapse-${version}-${name}.input.json`), `${JSON.stringify(content, null, 2)}\n`);
  console.log(`wrote ${spec}/synapse-${version}-${name}.input.json`);
}

const body = (r: { text: string }) => JSON.parse(r.text);

async function withSynapse(extraConfig: string, fn: (s: SynapseHandle) => Promise<void>): Promise<void> {
  const s = await startSynapse({ serverName: SERVER, certPem, keyPem, extraConfig });
  try { await fn(s); } finally { await s.stop(); }
}

// 1. Default test configuration: closed registration, public directory without auth.
await withSynapse('', async (s) => {
  const lobby = await s.api('POST', '/_matrix/client/v3/createRoom', { preset: 'public_chat', visibility: 'public', room_alias_name: 'lobby', name: 'Lobby', topic: 'General chat' });
  const space = await s.api('POST', '/_matrix/client/v3/createRoom', { preset: 'public_chat', visibility: 'public', room_alias_name: 'hub', name: 'Hub', creation_content: { type: 'm.space' } });
  await s.api('POST', '/_matrix/client/v3/createRoom', { preset: 'private_chat', visibility: 'private', name: 'Secret' });
  await s.api('PUT', `/_matrix/client/v3/rooms/${encodeURIComponent(space.json.room_id)}/state/m.space.child/${encodeURIComponent(lobby.json.room_id)}`, { via: [SERVER] });
  save('matrix-federation-version', 'default', body(await tls('GET', '/_matrix/federation/v1/version')));
  save('matrix-client-versions', 'default', body(await tls('GET', '/_matrix/client/versions')));
  save('matrix-login', 'password', body(await tls('GET', '/_matrix/client/v3/login')));
  save('matrix-keys', 'default', { serverName: SERVER, now: new Date().toISOString(), body: body(await tls('GET', '/_matrix/key/v2/server')) });
  const reg = await tls('POST', '/_matrix/client/v3/register', SYNAPSE_TLS_PORT, {});
  save('matrix-register', 'disabled', { status: reg.status, body: body(reg) });
  const page1 = await tls('GET', '/_matrix/client/v3/publicRooms?limit=1');
  save('matrix-public-rooms', 'page1-limit1', body(page1));
  const since = body(page1).next_batch as string;
  save('matrix-public-rooms', 'page2-limit1', body(await tls('GET', `/_matrix/client/v3/publicRooms?limit=1&since=${encodeURIComponent(since)}`)));
  save('matrix-public-rooms', 'all', body(await tls('GET', '/_matrix/client/v3/publicRooms')));
  // The hierarchy needs a token on Synapse: record the refusal, then the page as the setup user sees it.
  const unauth = await tls('GET', `/_matrix/client/v1/rooms/${encodeURIComponent(space.json.room_id)}/hierarchy`);
  console.log(`hierarchy without token: HTTP ${unauth.status} ${unauth.text}`);
  save('matrix-hierarchy', 'space', (await s.api('GET', `/_matrix/client/v1/rooms/${encodeURIComponent(space.json.room_id)}/hierarchy`)).json);
  save('matrix-well-known-server', 'serve-server-wellknown', body(await tls('GET', '/.well-known/matrix/server', SYNAPSE_HTTPS_PORT)));
  save('matrix-well-known-client', 'serve-client-wellknown', body(await tls('GET', '/.well-known/matrix/client', SYNAPSE_HTTPS_PORT)));
});

// 2. Open registration (no verification).
await withSynapse('enable_registration: true\nenable_registration_without_verification: true\n', async () => {
  const reg = await tls('POST', '/_matrix/client/v3/register', SYNAPSE_TLS_PORT, {});
  save('matrix-register', 'open', { status: reg.status, body: body(reg) });
});

// 3. Token-gated registration.
await withSynapse('enable_registration: true\nregistration_requires_token: true\n', async () => {
  const reg = await tls('POST', '/_matrix/client/v3/register', SYNAPSE_TLS_PORT, {});
  save('matrix-register', 'token', { status: reg.status, body: body(reg) });
});

// 4. reCAPTCHA registration (keys are dummies: the 401 is produced before any captcha check).
await withSynapse('enable_registration: true\nenable_registration_captcha: true\nrecaptcha_public_key: test-only\nrecaptcha_private_key: test-only\n', async () => {
  const reg = await tls('POST', '/_matrix/client/v3/register', SYNAPSE_TLS_PORT, {});
  save('matrix-register', 'captcha', { status: reg.status, body: body(reg) });
});

// 5. Directory that needs a token, plus identity server and extra client well-known content.
await withSynapse('allow_public_rooms_without_auth: false\ndefault_identity_server: https://vector.im\nextra_well_known_client_content:\n  org.matrix.msc4143.rtc_foci:\n    - type: livekit\n      livekit_service_url: https://livekit.synapse.test\n', async () => {
  const rooms = await tls('GET', '/_matrix/client/v3/publicRooms');
  save('matrix-public-rooms', 'auth-required', { status: rooms.status, body: body(rooms) });
  save('matrix-well-known-client', 'identity-and-rtc', body(await tls('GET', '/.well-known/matrix/client', SYNAPSE_HTTPS_PORT)));
});
