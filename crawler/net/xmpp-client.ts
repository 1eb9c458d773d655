/**
 * The observer's authenticated c2s session: the one account Chatlas logs
 * into, on a server its operator chose. Through it, IQ get queries reach other
 * domains over s2s, as search.jabber.network does.
 *
 * Steps (RFC 6120): stream, STARTTLS (required: we never authenticate in the
 * clear), SASL SCRAM-SHA-1 (RFC 5802) or PLAIN over TLS (§6), restart, bind
 * with resource `Chatlas` (§7). No presence is sent, so no messages or room
 * traffic are routed to us; we never register, join rooms or send messages.
 * Incoming `jabber:iq:version` gets are answered with name `Chatlas` (our
 * identity, XEP-0092); other incoming gets/sets get `service-unavailable`.
 *
 * Design after xmpp.js (`packages/client`, `packages/sasl`, `packages/iq`):
 * one wait per step with a timeout; written afresh, nothing copied.
 */
import { ProbeError } from '../errors.ts';
import type { NetContext } from './context.ts';
import { XmppStream } from './xmpp-stream.ts';
import { withDeadline } from './deadline.ts';
import type { BudgetTicket } from './request-budget.ts';
import { NS_SASL, NS_BIND, parseStreamFeatures, type StreamFeatures } from '../protocol/rfc6120-features.ts';
import { childText, escapeXml, type XmlElement } from '../protocol/xmpp-element.ts';
import { iqGet, parseIqReply, type IqReply } from '../protocol/xmpp-iq.ts';
import { NS_VERSION } from '../protocol/xep0092-version.ts';
import { plainMessage, scramClientFinal, scramClientFirst, scramVerifyServer } from '../protocol/xmpp-sasl-scram.ts';

/** The resource we bind: our identity on every server we query. */
export const OBSERVER_RESOURCE = 'Chatlas';
/** Largest stanza the observer accepts (a big room list in one reply). @default 8388608 */
export const OBSERVER_MAX_STANZA = 8 * 1024 * 1024;
/** Software name in our own XEP-0092 replies. */
export const OBSERVER_SOFTWARE = 'Chatlas';

/** How to reach the observer's own server. */
export interface ObserverOptions {
  /** Bare JID `local@domain`. */
  jid: string;
  password: string;
  /** Address to connect to (the resolved SRV target); the JID's domain is the stream `to` and SNI. */
  host: string;
  port: number;
  directTls?: boolean;
  /** Deadline of one IQ round trip (remote servers answer over s2s). @default config.stepTimeoutMs */
  iqTimeoutMs?: number;
  signal?: AbortSignal;
}

/** An authenticated observer session. */
export class ObserverSession {
  /** The full JID the server bound. */
  readonly jid: string;
  readonly #stream: XmppStream;
  readonly #iqTimeoutMs: number;
  #nextId = 0;
  /** Requests in flight by id: the reply is routed to its caller. */
  readonly #pending = new Map<string, { to: string; resolve: (r: IqReply) => void; reject: (e: ProbeError) => void }>();
  readonly #ownDomain: string;
  /** Features after authentication (caps of the observer's server, for the record). */
  readonly features: StreamFeatures;

  private constructor(stream: XmppStream, jid: string, iqTimeoutMs: number, features: StreamFeatures) {
    this.#stream = stream;
    this.jid = jid;
    this.#iqTimeoutMs = iqTimeoutMs;
    this.features = features;
    this.#ownDomain = (jid.split('/')[0] ?? '').slice(jid.indexOf('@') + 1).toLowerCase();
    stream.onFatal((error) => {
      for (const p of this.#pending.values()) p.reject(error);
      this.#pending.clear();
    });
    // Replies go to their request; requests are answered at once, even while no query is pending; messages
    // and presence (we never ask for any) are dropped, so nothing piles up.
    stream.intercept((el) => {
      if (el.local === 'iq' && (el.attrs.type === 'get' || el.attrs.type === 'set')) {
        this.#answer(el);
        return true;
      }
      if (el.local === 'iq') {
        const p = this.#pending.get(el.attrs.id ?? '');
        const from = (el.attrs.from ?? '').toLowerCase();
        // A reply from anyone but the entity asked is dropped (spoofing, RFC 6120 §8.1.2.1).
        if (p && (from === p.to || (from === '' && p.to === this.#ownDomain))) {
          this.#pending.delete(el.attrs.id ?? '');
          p.resolve(parseIqReply(el));
        }
        return true;
      }
      return el.local === 'message' || el.local === 'presence';
    });
  }

  /**
   * Log in.
   * @throws {ProbeError} `xmpp.auth-failed`, `xmpp.no-starttls`, `xmpp.*`, `net.*`, `tls.*`
   */
  static async login(ctx: NetContext, opts: ObserverOptions): Promise<ObserverSession> {
    const at = opts.jid.indexOf('@');
    const user = opts.jid.slice(0, at);
    const domain = opts.jid.slice(at + 1);
    if (at <= 0 || !domain) throw new ProbeError('xmpp.auth-failed', `observer JID ${JSON.stringify(opts.jid)} is not local@domain`);
    // A long-lived session: no total byte cap (each stanza stays capped, and every stanza
    // is consumed), unlike probe streams. Prosody answers a room list without RSM in one
    // stanza, hence a larger stanza cap than a probe stream's.
    const stream = await XmppStream.open(ctx, {
      host: opts.host, port: opts.port, domain, mode: 'c2s', directTls: opts.directTls, signal: opts.signal,
      maxBytes: Number.MAX_SAFE_INTEGER, maxStanzaBytes: OBSERVER_MAX_STANZA,
    });
    try {
      let features = parseStreamFeatures((await stream.start()).features);
      if (!stream.tls) {
        if (!features.starttls) throw new ProbeError('xmpp.no-starttls', `${domain} offers no STARTTLS; refusing to authenticate in the clear`);
        await stream.starttls();
        features = parseStreamFeatures((await stream.start()).features);
      }
      if (stream.tls && (!stream.tls.chainValid || !stream.tls.nameValid)) {
        throw new ProbeError('tls.cert-invalid', `observer server ${domain} presented an untrusted certificate (${stream.tls.error ?? 'invalid'}); not sending credentials`);
      }
      await authenticate(stream, features, user, opts.password);
      stream.resetParser();
      const post = parseStreamFeatures((await stream.start()).features);
      if (!post.bind) throw new ProbeError('xmpp.auth-failed', 'no resource binding offered after authentication');
      stream.send(`<iq type='set' id='bind'><bind xmlns='${NS_BIND}'><resource>${OBSERVER_RESOURCE}</resource></bind></iq>`);
      const bound = await stream.next((el) => el.local === 'iq' && el.attrs.id === 'bind', 'bind result');
      const reply = parseIqReply(bound);
      if (!reply.ok) throw new ProbeError('xmpp.auth-failed', `bind refused: ${reply.error.condition}`);
      const jid = childText(reply.payload ?? undefined, 'jid') || `${opts.jid}/${OBSERVER_RESOURCE}`;
      return new ObserverSession(stream, jid, opts.iqTimeoutMs ?? ctx.config.stepTimeoutMs, post);
    } catch (error) {
      stream.close();
      throw ProbeError.from(error, 'xmpp.auth-failed');
    }
  }

  /**
   * Send an IQ get and wait for its reply, matched by id and sender (RFC 6120
   * §8.1.2.1: a reply must come from the entity asked). Safe to call
   * concurrently: replies are routed by id, so probes sharing the session do
   * not take each other's answers.
   * `budget`: the probed server's budget for this step; the query is taken from it before it is
   * sent, since the observer's server relays it to that server (crawler/net/request-budget.ts).
   * @throws {ProbeError} `xmpp.timeout` (this request only), `policy.budget-exhausted` (nothing sent),
   *   or the stream's failure (the session is then dead)
   */
  iq(to: string, ns: string, opts: { node?: string; inner?: string; timeoutMs?: number; budget?: BudgetTicket } = {}): Promise<IqReply> {
    try {
      opts.budget?.take('observer');
    } catch (error) {
      return Promise.reject(ProbeError.from(error));
    }
    const id = `c${++this.#nextId}`;
    const waitMs = opts.timeoutMs ?? this.#iqTimeoutMs;
    return withDeadline(
      (signal) => new Promise<IqReply>((resolve, reject) => {
        if (!this.#stream.alive) {
          reject(new ProbeError('net.reset', 'observer session is closed'));
          return;
        }
        this.#pending.set(id, { to: to.toLowerCase(), resolve, reject });
        signal.addEventListener('abort', () => this.#pending.delete(id), { once: true });
        this.#stream.send(iqGet(id, to, ns, opts));
      }),
      waitMs,
      'xmpp.timeout',
    ).catch((error: unknown) => {
      this.#pending.delete(id);
      const e = ProbeError.from(error, 'xmpp.timeout');
      throw e.code === 'xmpp.timeout' && e.message.startsWith('timed out') ? new ProbeError('xmpp.timeout', `no reply from ${to} within ${waitMs} ms`) : e;
    });
  }

  /** False once the underlying stream failed or was closed. */
  get alive(): boolean {
    return this.#stream.alive;
  }

  /** Let the process exit while the session is idle (it is shared across probes). */
  unref(): void {
    this.#stream.unref();
  }

  /** Close the session (never throws). */
  close(): void {
    this.#stream.close();
  }

  /** Answer an incoming request: our version, or service-unavailable. */
  #answer(iq: XmlElement): void {
    const to = iq.attrs.from ? ` to='${escapeXml(iq.attrs.from)}'` : '';
    const id = escapeXml(iq.attrs.id ?? '');
    const q = iq.children.find((c): c is XmlElement => typeof c === 'object');
    if (iq.attrs.type === 'get' && q?.ns === NS_VERSION) {
      this.#stream.send(`<iq type='result' id='${id}'${to}><query xmlns='${NS_VERSION}'><name>${OBSERVER_SOFTWARE}</name><version>0.1</version></query></iq>`);
      return;
    }
    this.#stream.send(`<iq type='error' id='${id}'${to}><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`);
  }
}

/** SASL: SCRAM-SHA-1 when offered, else PLAIN (only ever over TLS). */
async function authenticate(stream: XmppStream, features: StreamFeatures, user: string, password: string): Promise<void> {
  const saslAnswer = (what: string): Promise<XmlElement> => stream.next((el) => el.ns === NS_SASL, what);
  if (features.mechanisms.includes('SCRAM-SHA-1')) {
    const { message, state } = scramClientFirst(user, password);
    stream.send(`<auth xmlns='${NS_SASL}' mechanism='SCRAM-SHA-1'>${message}</auth>`);
    const challenge = await saslAnswer('SCRAM challenge');
    if (challenge.local !== 'challenge') throw new ProbeError('xmpp.auth-failed', `SASL <${challenge.local}/> instead of a challenge`);
    const final = scramClientFinal(state, textOfEl(challenge));
    if (final instanceof ProbeError) throw final;
    stream.send(`<response xmlns='${NS_SASL}'>${final}</response>`);
    const outcome = await saslAnswer('SASL outcome');
    if (outcome.local !== 'success') throw new ProbeError('xmpp.auth-failed', `SASL ${outcome.local}: ${saslCondition(outcome)}`);
    if (!scramVerifyServer(state, textOfEl(outcome))) throw new ProbeError('xmpp.auth-failed', 'SCRAM: the server signature does not verify');
    return;
  }
  if (features.mechanisms.includes('PLAIN')) {
    stream.send(`<auth xmlns='${NS_SASL}' mechanism='PLAIN'>${plainMessage(user, password)}</auth>`);
    const outcome = await saslAnswer('SASL outcome');
    if (outcome.local !== 'success') throw new ProbeError('xmpp.auth-failed', `SASL ${outcome.local}: ${saslCondition(outcome)}`);
    return;
  }
  throw new ProbeError('xmpp.auth-failed', `no usable SASL mechanism (offered: ${features.mechanisms.join(', ') || 'none'})`);
}

const textOfEl = (el: XmlElement): string => el.children.filter((c): c is string => typeof c === 'string').join('').trim();
const saslCondition = (el: XmlElement): string => el.children.find((c): c is XmlElement => typeof c === 'object')?.local ?? 'failure';
