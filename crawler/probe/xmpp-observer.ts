/**
 * Queries through the observer account (PROTOCOLS.md §3.3): disco#info and
 * version of the domain, its disco#items and what each item is (MUC, upload,
 * proxy, pubsub), the rooms of each MUC service (RSM paging where offered) and
 * each room's disco#info. Only rooms that are public, persistent, open and not
 * password protected, and did not opt out with a marker in their description
 * or subject, become RoomSnapshots; the others are counted by reason, never
 * named (a hidden room is never stored, not even in a raw record).
 */
import { ProbeError } from '../errors.ts';
import type { RoomSnapshot } from '../types.ts';
import type { ObserverSession } from '../net/xmpp-client.ts';
import { serializeElement, type XmlElement } from '../protocol/xmpp-element.ts';
import type { IqReply } from '../protocol/xmpp-iq.ts';
import { NS_DISCO_INFO, NS_DISCO_ITEMS, hasIdentity, parseDiscoInfo, parseDiscoItems, type DiscoInfo, type DiscoItem } from '../protocol/xep0030-disco.ts';
import { NS_RSM, rsmRequest } from '../protocol/xep0059-rsm.ts';
import { NS_VERSION, parseVersion, type SoftwareVersion } from '../protocol/xep0092-version.ts';
import { isListableRoom, mucServiceKind, parseRoomInfo } from '../protocol/xep0045-muc.ts';
import { uploadService } from '../protocol/xep0363-upload.ts';
import { contactAddresses, type ContactAddresses } from '../protocol/xep0157-contact.ts';
import { softwareInfo, type SoftwareInfo } from '../protocol/xep0232-software-info.ts';
import { MAX_RAW_CHARS, type ObservationRecorder } from './observation-recorder.ts';
import type { BudgetScope, BudgetTicket } from '../net/request-budget.ts';

/** Bounds of the authenticated walk. */
export interface ObserverLimits {
  /** disco#items entries of the domain examined. @default 50 */
  maxServices: number;
  /** MUC services walked. @default 10 */
  maxMucServices: number;
  /** Rooms examined per MUC service. @default 500 */
  maxRoomsPerService: number;
  /** RSM page size. @default 100 */
  pageSize: number;
  /** RSM pages per service. @default 20 */
  maxPages: number;
}

export const DEFAULT_OBSERVER_LIMITS: ObserverLimits = { maxServices: 50, maxMucServices: 10, maxRoomsPerService: 500, pageSize: 100, maxPages: 20 };

/** One service item of the domain and what it is. */
export interface ServiceFacts {
  jid: string;
  kind: 'muc' | 'gateway' | 'upload' | 'proxy' | 'pubsub' | 'other' | 'error';
  name: string;
  maxFileSize: number | null;
  rsm: boolean;
}

/** Why rooms were not listed, counted. */
export interface RoomCounts {
  examined: number;
  listed: number;
  hidden: number;
  temporary: number;
  membersOnly: number;
  passwordProtected: number;
  unstated: number;
  /** Otherwise listable, withheld by an opt-out marker in the description or subject. */
  optedOut: number;
  errors: number;
  /** Rooms skipped because the probe's deadline passed or the session died. */
  notExamined: number;
}

export interface ObserverResult {
  info: DiscoInfo | null;
  version: SoftwareVersion | null;
  softwareInfo: SoftwareInfo | null;
  contacts: ContactAddresses;
  items: DiscoItem[];
  services: ServiceFacts[];
  rooms: RoomSnapshot[];
  counts: RoomCounts;
}

/** What to ask, and the probe's budget. */
export interface ObserveOptions {
  /**
   * Walk the services and rooms (the `rooms` kind of fact); without it only
   * disco#info and version of the domain (`liveness`). @default true
   */
  rooms?: boolean;
  /**
   * The probe's budget: every query about the domain is taken from it (the
   * observer's server relays it there), liveness queries from `liveness`,
   * the walk from `rooms`; rooms left when it runs out are counted as not examined.
   */
  budget?: BudgetScope;
}

const raw = (el: XmlElement | null): string => (el ? serializeElement(el).slice(0, MAX_RAW_CHARS) : '');

/** Turn an IQ error reply into a thrown ProbeError so the step records it. */
function payloadOf(reply: IqReply, what: string): XmlElement {
  if (!reply.ok) throw new ProbeError('xmpp.iq-error', `${what}: ${reply.error.condition}${reply.error.text ? ` (${reply.error.text})` : ''}`);
  if (!reply.payload) throw new ProbeError('xml.malformed', `${what}: empty result`);
  return reply.payload;
}

/** Walk one domain through the observer session. Never throws: every failure is a recorded step. */
export async function observeDomain(session: ObserverSession, rec: ObservationRecorder, limits: ObserverLimits = DEFAULT_OBSERVER_LIMITS, signal?: AbortSignal, opts: ObserveOptions = {}): Promise<ObserverResult> {
  const domain = rec.domain;
  const live = opts.budget?.ticket('liveness');
  const walk = opts.budget?.ticket('rooms');
  const ask = (to: string, ns: string, ticket: BudgetTicket | undefined, more: { inner?: string } = {}) => session.iq(to, ns, { ...more, ...(ticket ? { budget: ticket } : {}) });
  const out: ObserverResult = {
    info: null, version: null, softwareInfo: null, contacts: {}, items: [], services: [], rooms: [],
    counts: { examined: 0, listed: 0, hidden: 0, temporary: 0, membersOnly: 0, passwordProtected: 0, unstated: 0, optedOut: 0, errors: 0, notExamined: 0 },
  };
  const info = await rec.step('xmpp.disco-info', async () => {
    const q = payloadOf(await ask(domain, NS_DISCO_INFO, live), 'disco#info');
    const i = parseDiscoInfo(q);
    return { value: i, facts: { identities: i.identities, features: i.features, formTypes: i.forms.map((f) => f.formType), contacts: contactAddresses(i.forms), softwareInfo: softwareInfo(i.forms) }, raw: raw(q) };
  });
  if (info.ok) {
    out.info = info.value;
    out.contacts = contactAddresses(info.value.forms);
    out.softwareInfo = softwareInfo(info.value.forms);
  }
  const version = await rec.step('xmpp.version', async () => {
    const q = payloadOf(await ask(domain, NS_VERSION, live), 'version');
    const v = parseVersion(q);
    return { value: v, facts: { ...v }, raw: raw(q) };
  });
  if (version.ok) out.version = version.value;
  if (opts.rooms === false) return out;

  const items = await rec.step('xmpp.disco-items', async () => {
    const q = payloadOf(await ask(domain, NS_DISCO_ITEMS, walk), 'disco#items');
    const d = parseDiscoItems(q);
    return { value: d.items, facts: { count: d.items.length, items: d.items.slice(0, limits.maxServices) }, raw: raw(q) };
  });
  if (items.ok) out.items = items.value;

  for (const item of out.items.filter((i) => !i.node && !i.jid.includes('@')).slice(0, limits.maxServices)) {
    if (signal?.aborted) break;
    const svc = await rec.step('xmpp.service-info', async () => {
      const q = payloadOf(await ask(item.jid, NS_DISCO_INFO, walk), `disco#info of ${item.jid}`);
      const i = parseDiscoInfo(q);
      const facts = classify(item.jid, i);
      return { value: facts, facts: { ...facts, identities: i.identities }, raw: raw(q) };
    });
    out.services.push(svc.ok ? svc.value : { jid: item.jid, kind: 'error', name: '', maxFileSize: null, rsm: false });
  }

  for (const svc of out.services.filter((s) => s.kind === 'muc').slice(0, limits.maxMucServices)) {
    const roomItems = await listRooms(session, rec, svc, limits, walk);
    for (const item of roomItems) {
      // The probe's whole deadline bounds the walk: what was not examined is counted as such.
      if (signal?.aborted || !session.alive || (opts.budget !== undefined && opts.budget.left('rooms') === 0)) {
        out.counts.notExamined += 1;
        continue;
      }
      out.counts.examined++;
      const r = await ask(item.jid, NS_DISCO_INFO, walk).then(
        (reply) => (reply.ok && reply.payload ? parseRoomInfo(parseDiscoInfo(reply.payload)) : null),
        () => null,
      );
      if (!r) {
        out.counts.errors++;
        continue;
      }
      if (!isListableRoom(r)) {
        if (r.public === false) out.counts.hidden++;
        else if (r.persistent === false) out.counts.temporary++;
        else if (r.open === false) out.counts.membersOnly++;
        else if (r.passwordProtected === true) out.counts.passwordProtected++;
        else if (!isListableRoom({ ...r, optedOut: false })) out.counts.unstated++;
        else out.counts.optedOut++;
        continue;
      }
      out.counts.listed++;
      out.rooms.push({
        passId: rec.passId, protocol: 'xmpp', roomId: item.jid, server: domain, address: item.jid,
        name: r.name || item.name.replace(/\s*\(\d+\)$/, '') || item.jid.split('@')[0] || '',
        topic: r.subject || r.description, members: r.occupants ?? 0, avatarUrl: '', language: r.language,
        worldReadable: r.logs ? true : null, guestCanJoin: null, joinRule: 'open', roomType: 'room', children: [], observedAt: rec.now(),
      });
    }
  }
  if (out.counts.examined + out.counts.notExamined > 0) {
    // Counts only: names of rooms that are not listable are not recorded anywhere.
    const n = out.counts.optedOut;
    if (n > 0) rec.note('xmpp.room-info', 'info', `${n} public room${n === 1 ? '' : 's'} opted out with a marker in the description or subject and ${n === 1 ? 'is' : 'are'} not listed.`);
    rec.record('xmpp.room-info', 'ok', 0, { ...out.counts });
  }
  return out;
}

/** What a disco#info says an item is. */
function classify(jid: string, info: DiscoInfo): ServiceFacts {
  const name = info.identities[0]?.name ?? '';
  const rsm = info.features.includes(NS_RSM);
  const muc = mucServiceKind(info);
  if (muc) return { jid, kind: muc, name, maxFileSize: null, rsm };
  const upload = uploadService(info);
  if (upload) return { jid, kind: 'upload', name, maxFileSize: upload.maxFileSize, rsm };
  if (hasIdentity(info, 'proxy')) return { jid, kind: 'proxy', name, maxFileSize: null, rsm };
  if (hasIdentity(info, 'pubsub')) return { jid, kind: 'pubsub', name, maxFileSize: null, rsm };
  return { jid, kind: 'other', name, maxFileSize: null, rsm };
}

/** The room items of one MUC service, with RSM paging when the service advertises it. */
async function listRooms(session: ObserverSession, rec: ObservationRecorder, svc: ServiceFacts, limits: ObserverLimits, ticket?: BudgetTicket): Promise<DiscoItem[]> {
  const rooms: DiscoItem[] = [];
  const r = await rec.step('xmpp.muc-rooms', async () => {
    let after = '';
    let pages = 0;
    let total: number | null = null;
    do {
      const inner = svc.rsm ? rsmRequest(limits.pageSize, after) : undefined;
      const q = payloadOf(await session.iq(svc.jid, NS_DISCO_ITEMS, { inner, ...(ticket ? { budget: ticket } : {}) }), `rooms of ${svc.jid}`);
      const page = parseDiscoItems(q);
      pages++;
      for (const i of page.items) if (i.jid.includes('@') && rooms.length < limits.maxRoomsPerService && !rooms.some((x) => x.jid === i.jid)) rooms.push(i);
      total = page.rsm?.count ?? total;
      const last = page.rsm?.last ?? '';
      // Stop when there is no next page, the cursor does not move, or a bound is hit.
      if (!svc.rsm || !last || last === after || page.items.length === 0) break;
      after = last;
    } while (pages < limits.maxPages && rooms.length < limits.maxRoomsPerService);
    // No raw: a misbehaving server could list hidden rooms here.
    return { value: rooms, facts: { service: svc.jid, rooms: rooms.length, pages, rsm: svc.rsm, total, truncated: rooms.length >= limits.maxRoomsPerService } };
  });
  return r.ok ? r.value : [];
}
