/**
 * The observer's home server in the simulated federation (TEST, DEMO AND
 * BENCH ONLY). It accepts the observer login as Prosody 0.12.3 does (the
 * captured c2s bytes of tests/fixtures/rfc6120-features/prosody-0.12.3-*:
 * STARTTLS required, then SCRAM-SHA-1 and PLAIN, then bind) and answers the
 * observer's IQ gets addressed to other domains as if it had routed them over
 * s2s: the `route` callback says what the remote entity would have answered.
 *
 * SASL is checked for real: PLAIN (RFC 4616) and SCRAM-SHA-1 (RFC 5802 §3,
 * server side: verify the client proof against the stored key, send the
 * server signature), so a wrong password fails as it would on Prosody
 * (`<failure><not-authorized/></failure>`). Nothing here is copied from the
 * crawler's client.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';

const NS_SASL = 'urn:ietf:params:xml:ns:xmpp-sasl';

/** An IQ get the observer sent. */
export interface RoutedIq {
  id: string;
  to: string;
  ns: string;
  node: string;
  /** RSM request (XEP-0059), when the query carried one. */
  rsm: { max: number; after: string } | null;
  /** The observer's full JID (the `to` of replies). */
  from: string;
}

export interface SimObserverServerOptions {
  host: string;
  port: number;
  domain: string;
  user: string;
  password: string;
  tls: { certPem: string; keyPem: string };
  /** Stream bytes: header + features before TLS, after TLS, after auth (the domain already substituted). */
  streams: { preTls: string; postTls: string; postAuth: string };
  /** The reply to an IQ, as XML. */
  route(iq: RoutedIq): string;
}

export interface SimObserverServer {
  readonly logins: number;
  readonly failedLogins: number;
  readonly iqs: number;
  /** IQ gets per addressed domain (the host part of `to`, lower case): who the observer asked about. */
  readonly iqsByDomain: ReadonlyMap<string, number>;
  close(): Promise<void>;
}

const unescape = (s: string): string =>
  s.replace(/&apos;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const attr = (tag: string, name: string): string => unescape(new RegExp(`\\s${name}=(?:'([^']*)'|"([^"]*)")`).exec(tag)?.slice(1).find((v) => v !== undefined) ?? '');
const inner = (el: string, name: string): string => unescape(new RegExp(`<${name}[^>]*>([^<]*)</${name}>`).exec(el)?.[1] ?? '');
const hmac = (key: Buffer, data: string): Buffer => createHmac('sha1', key).update(data).digest();

/** Start the observer's server. */
export async function startSimObserverServer(opts: SimObserverServerOptions): Promise<SimObserverServer> {
  const sockets = new Set<net.Socket | tls.TLSSocket>();
  const stats = { logins: 0, failedLogins: 0, iqs: 0 };
  const byDomain = new Map<string, number>();
  const secureContext = tls.createSecureContext({ cert: opts.tls.certPem, key: opts.tls.keyPem });
  // SCRAM credentials as a server stores them (RFC 5802 §3): salt, iterations, StoredKey, ServerKey.
  const salt = randomBytes(16);
  const iterations = 4096;
  const salted = pbkdf2Sync(opts.password, salt, iterations, 20, 'sha1');
  const storedKey = createHash('sha1').update(hmac(salted, 'Client Key')).digest();
  const serverKey = hmac(salted, 'Server Key');

  const server = net.createServer((raw) => {
    sockets.add(raw);
    raw.on('close', () => sockets.delete(raw));
    raw.on('error', () => {});
    session(raw);
  });

  function session(raw: net.Socket): void {
    let socket: net.Socket | tls.TLSSocket = raw;
    let phase: 'pre-tls' | 'tls' | 'authed' = 'pre-tls';
    let bound = '';
    let scram: { clientFirstBare: string; serverFirst: string; nonce: string } | null = null;
    let buffer = '';
    const send = (s: string): void => void (socket.destroyed || socket.write(s));
    const fail = (): void => {
      stats.failedLogins++;
      send(`<failure xmlns='${NS_SASL}'><not-authorized/></failure>`);
    };
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString('utf8');
      if (buffer.length > 256 * 1024) return void socket.destroy();
      for (;;) {
        buffer = buffer.replace(/^\s+/, '');
        const m = /^(?:<\?xml[^>]*\?>)?<stream:stream[^>]*>|^<\/stream:stream>|^<(starttls|auth|response|iq)\b[^>]*?(?:\/>|>[^]*?<\/\1>)/.exec(buffer);
        if (!m) return;
        buffer = buffer.slice(m[0].length);
        const el = m[0];
        if (el.startsWith('</stream:stream')) return void socket.end('</stream:stream>');
        if (el.includes('<stream:stream')) {
          send(phase === 'pre-tls' ? opts.streams.preTls : phase === 'tls' ? opts.streams.postTls : opts.streams.postAuth);
        } else if (m[1] === 'starttls' && phase === 'pre-tls') {
          socket.off('data', onData);
          send("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
          const secure = new tls.TLSSocket(raw, { isServer: true, secureContext });
          secure.on('error', () => {});
          sockets.add(secure);
          socket = secure;
          phase = 'tls';
          buffer = '';
          secure.on('data', onData);
          return;
        } else if (m[1] === 'auth' && phase === 'tls') {
          const mech = attr(el, 'mechanism');
          const payload = Buffer.from(inner(el, 'auth'), 'base64').toString('utf8');
          if (mech === 'PLAIN') {
            const [, user, pass] = payload.split('\0');
            if (user === opts.user && pass === opts.password) {
              phase = 'authed';
              stats.logins++;
              send(`<success xmlns='${NS_SASL}'/>`);
            } else fail();
          } else if (mech === 'SCRAM-SHA-1' && payload.startsWith('n,,')) {
            const clientFirstBare = payload.slice(3);
            const fields = new Map(clientFirstBare.split(',').map((p) => [p.slice(0, 1), p.slice(2)] as const));
            if (fields.get('n') !== opts.user) {
              fail();
              continue;
            }
            const nonce = `${fields.get('r') ?? ''}${randomBytes(12).toString('base64')}`;
            const serverFirst = `r=${nonce},s=${salt.toString('base64')},i=${iterations}`;
            scram = { clientFirstBare, serverFirst, nonce };
            send(`<challenge xmlns='${NS_SASL}'>${Buffer.from(serverFirst).toString('base64')}</challenge>`);
          } else send(`<failure xmlns='${NS_SASL}'><invalid-mechanism/></failure>`);
        } else if (m[1] === 'response' && phase === 'tls' && scram) {
          const final = Buffer.from(inner(el, 'response'), 'base64').toString('utf8');
          const withoutProof = final.replace(/,p=[^,]*$/, '');
          const proof = Buffer.from(/,p=([^,]*)$/.exec(final)?.[1] ?? '', 'base64');
          const authMessage = `${scram.clientFirstBare},${scram.serverFirst},${withoutProof}`;
          const signature = hmac(storedKey, authMessage);
          const clientKey = Buffer.from(signature.map((b, i) => b ^ (proof[i] ?? 0)));
          const ok = proof.length === 20 && withoutProof === `c=biws,r=${scram.nonce}` && timingSafeEqual(createHash('sha1').update(clientKey).digest(), storedKey);
          scram = null;
          if (!ok) fail();
          else {
            phase = 'authed';
            stats.logins++;
            send(`<success xmlns='${NS_SASL}'>${Buffer.from(`v=${hmac(serverKey, authMessage).toString('base64')}`).toString('base64')}</success>`);
          }
        } else if (m[1] === 'iq' && phase === 'authed') {
          const head = /^<iq\b[^>]*>/.exec(el)?.[0] ?? el;
          const id = attr(head, 'id');
          if (!bound) {
            const resource = inner(el, 'resource') || 'sim';
            bound = `${opts.user}@${opts.domain}/${resource}`;
            send(`<iq id='${id}' type='result'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>${bound}</jid></bind></iq>`);
            continue;
          }
          if (attr(head, 'type') !== 'get') continue;
          stats.iqs++;
          const to = (attr(head, 'to') || opts.domain).toLowerCase();
          const host = to.slice(to.indexOf('@') + 1).split('/')[0] ?? to;
          byDomain.set(host, (byDomain.get(host) ?? 0) + 1);
          const query = /<query\b[^>]*>/.exec(el)?.[0] ?? '';
          const max = inner(el, 'max');
          const rsm = /<set xmlns='http:\/\/jabber.org\/protocol\/rsm'/.test(el) ? { max: Number(max) || 100, after: inner(el, 'after') } : null;
          send(opts.route({ id, to: attr(head, 'to') || opts.domain, ns: attr(query, 'xmlns'), node: attr(query, 'node'), rsm, from: bound }));
        }
      }
    };
    raw.on('data', onData);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  return {
    get logins() {
      return stats.logins;
    },
    get failedLogins() {
      return stats.failedLogins;
    },
    get iqs() {
      return stats.iqs;
    },
    iqsByDomain: byDomain,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
