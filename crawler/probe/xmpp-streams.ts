/**
 * Account-free stream probes (PROTOCOLS.md §3.2): c2s and s2s stream
 * features before and after TLS, TLS facts, the in-band registration form
 * when advertised. Bytes come from net/xmpp-stream.ts, meaning from
 * protocol/; this file only orders the steps and records them.
 */
import type { NetContext } from '../net/context.ts';
import { XmppStream } from '../net/xmpp-stream.ts';
import { ProbeError } from '../errors.ts';
import type { TlsFacts } from '../types.ts';
import type { XmppEndpoint } from '../discover/xmpp-srv.ts';
import type { Outcome } from '../outcome.ts';
import { parseStreamFeatures, parseStreamHeader, type StreamFeatures, type StreamHeader } from '../protocol/rfc6120-features.ts';
import { parseIqReply } from '../protocol/xmpp-iq.ts';
import { NS_REGISTER, parseRegisterForm, type RegisterForm } from '../protocol/xep0077-register.ts';
import type { ObservationRecorder } from './observation-recorder.ts';
import type { BudgetScope } from '../net/request-budget.ts';

/** Endpoints tried per side before giving up. @default 3 */
export const MAX_ENDPOINT_ATTEMPTS = 3;

/** What the unauthenticated probe of one side saw. */
export interface SideResult {
  connected: boolean;
  endpoint: XmppEndpoint | null;
  header: StreamHeader | null;
  /** Features before TLS (STARTTLS endpoints only). */
  preTls: StreamFeatures | null;
  /** Features once TLS is up. */
  postTls: StreamFeatures | null;
  tls: TlsFacts | null;
  /** The register form (c2s, when advertised and asked), or what happened instead. */
  register: { form: RegisterForm | null; outcome: Outcome } | null;
  error: ProbeError | null;
}

const empty = (): SideResult => ({ connected: false, endpoint: null, header: null, preTls: null, postTls: null, tls: null, register: null, error: null });

/**
 * Probe one side on the first endpoint that answers.
 * @param askRegister send one unauthenticated `jabber:iq:register` get when `<register/>` is advertised (c2s only)
 */
export async function probeSide(ctx: NetContext, rec: ObservationRecorder, side: 'c2s' | 's2s', endpoints: readonly XmppEndpoint[], askRegister: boolean, signal: AbortSignal, budget?: BudgetScope): Promise<SideResult> {
  const result = empty();
  for (const ep of endpoints.slice(0, MAX_ENDPOINT_ATTEMPTS)) {
    const where = `${ep.host}:${ep.port}${ep.directTls ? ' (direct TLS)' : ''}`;
    const opened = await rec.step(`xmpp.${side}-connect`, async () => {
      const s = await XmppStream.open(ctx, { host: ep.host, port: ep.port, domain: rec.domain, mode: side, directTls: ep.directTls, signal, ...(budget ? { budget: budget.ticket('liveness') } : {}) });
      return { value: s, facts: { host: ep.host, port: ep.port, directTls: ep.directTls, source: ep.source, address: s.remoteAddress } };
    });
    if (!opened.ok) {
      result.error = opened.error;
      continue;
    }
    const stream = opened.value;
    result.connected = true;
    result.endpoint = ep;
    try {
      await negotiate(rec, side, stream, result, askRegister, where, budget);
    } finally {
      stream.close();
    }
    return result;
  }
  return result;
}

async function negotiate(rec: ObservationRecorder, side: 'c2s' | 's2s', stream: XmppStream, result: SideResult, askRegister: boolean, where: string, budget?: BudgetScope): Promise<void> {
  // The report lines name the step that observed them, so the health report can tell which failures they explain.
  const firstStep = `xmpp.${side}-features${stream.tls ? '' : '-pre-tls'}`;
  const first = await rec.step(firstStep, async () => {
    const { header, features } = await stream.start();
    const f = parseStreamFeatures(features);
    const h = parseStreamHeader(header, stream.contentNamespace);
    return { value: { f, h }, facts: { header: h, features: f, tls: stream.tls }, raw: stream.raw };
  }, () => stream.raw);
  if (!first.ok) {
    result.error = first.error;
    rec.note(firstStep, 'error', `${side} stream on ${where} failed: ${first.error.message}`);
    return;
  }
  result.header = first.value.h;
  if (stream.tls) {
    result.tls = stream.tls;
    result.postTls = first.value.f;
  } else {
    result.preTls = first.value.f;
    if (!first.value.f.starttls) {
      rec.note(firstStep, 'warn', `${side} on ${where} offers no STARTTLS`, 'Enable TLS (RFC 7590 requires it).');
      return;
    }
    const rawBefore = stream.raw.length;
    const tls = await rec.step(`xmpp.${side}-tls`, async () => {
      const facts = await stream.starttls();
      return { value: facts, facts: { tls: facts } };
    });
    if (!tls.ok) {
      result.error = tls.error;
      return;
    }
    result.tls = tls.value;
    if (!tls.value.chainValid || !tls.value.nameValid) {
      rec.note(`xmpp.${side}-tls`, 'warn', `certificate for ${rec.domain} does not verify: ${tls.value.error ?? 'invalid'}`, 'Serve a certificate that names the XMPP domain, signed by a public CA.');
    }
    const post = await rec.step(`xmpp.${side}-features`, async () => {
      const { features } = await stream.start();
      const f = parseStreamFeatures(features);
      return { value: f, facts: { features: f }, raw: stream.raw.slice(rawBefore) };
    }, () => stream.raw.slice(rawBefore));
    if (!post.ok) {
      result.error = post.error;
      return;
    }
    result.postTls = post.value;
  }
  if (side === 'c2s' && askRegister && result.postTls?.register) {
    // One read-only get (XEP-0077 §3.1): shows the form; never a set.
    const rawBefore = stream.raw.length;
    const reg = await rec.step<NonNullable<SideResult['register']>>('xmpp.register-form', async () => {
      // One request on the open stream, counted against the server's budget (`register` kind).
      budget?.take('register', 'stanza');
      stream.send(`<iq type='get' id='reg1'><query xmlns='${NS_REGISTER}'/></iq>`);
      try {
        const iq = await stream.next((el) => el.local === 'iq' && el.attrs.id === 'reg1', 'register form');
        const reply = parseIqReply(iq);
        // A stanza error is the server's answer (Prosody: service-unavailable with registration off), not a failure.
        if (!reply.ok) return { value: { form: null, outcome: 'refused' }, outcome: 'refused', facts: { condition: reply.error.condition, error: reply.error }, raw: stream.raw.slice(rawBefore), error: reply.error.condition };
        const form = reply.payload ? parseRegisterForm(reply.payload) : null;
        return { value: { form, outcome: 'form' }, outcome: 'form', facts: { form }, raw: stream.raw.slice(rawBefore) };
      } catch (error) {
        // ejabberd ends the stream (not-authorized) when registration is off: an answer, not a failure.
        const e = ProbeError.from(error);
        if (e.code === 'xmpp.stream-error') return { value: { form: null, outcome: 'stream-closed' }, outcome: 'stream-closed', facts: { reason: e.message }, raw: stream.raw.slice(rawBefore) };
        throw e;
      }
    });
    result.register = reg.ok ? reg.value : { form: null, outcome: reg.error.code };
  }
}
