/**
 * Multi-user chat: services, room flags and room information.
 *
 * Spec: XEP-0045 "Multi-User Chat", https://xmpp.org/extensions/xep-0045.html,
 * version 1.35.1: §6.1 (discovering the service: identity conference/text and
 * feature `http://jabber.org/protocol/muc`), §6.4 (room info: `muc_*` feature
 * flags and the `http://jabber.org/protocol/muc#roominfo` form), §15.5.4
 * (roominfo fields). The avatar hash field is XEP-0486 "MUC Avatars" 0.1.
 *
 * Listing rule (search.jabber.network's, PROTOCOLS.md §3.3): a room is listed
 * only when it is public, persistent, open and not password-protected. Any
 * flag that is missing counts against listing: we never guess a room public.
 * Nor is a room listed whose description or subject carries an opt-out marker
 * (crawler/protocol/room-opt-out.ts): its moderators asked to stay out.
 */
import { hasIdentity, type DiscoInfo } from './xep0030-disco.ts';
import { findForm, formValue, formValues } from './xep0004-data-forms.ts';
import { hasNoindexMarker } from './room-opt-out.ts';

export const NS_MUC = 'http://jabber.org/protocol/muc';
export const FORM_ROOMINFO = 'http://jabber.org/protocol/muc#roominfo';

/** What a room's disco#info says about it. */
export interface RoomInfo {
  /** The reply describes a MUC room (conference identity + muc feature). */
  isRoom: boolean;
  name: string;
  description: string;
  subject: string;
  /** Occupant count from roominfo, null when not given or not a number. */
  occupants: number | null;
  language: string;
  /** Public log URL (muc#roominfo_logs). */
  logs: string;
  contactJids: string[];
  avatarHash: string;
  /** Flags from `muc_*` features; null when neither of the pair was sent. */
  public: boolean | null;
  persistent: boolean | null;
  /** Open = not members-only. */
  open: boolean | null;
  passwordProtected: boolean | null;
  moderated: boolean | null;
  /** `semianonymous`, `nonanonymous`, or '' when not said. */
  anonymity: string;
  /** The description or subject carries an opt-out marker (within the 2000 characters a data-form value keeps). */
  optedOut: boolean;
}

/** The value of a flag pair: true for `yes`, false for `no`, null when neither. */
function flag(features: ReadonlySet<string>, yes: string, no: string): boolean | null {
  if (features.has(yes)) return true;
  if (features.has(no)) return false;
  return null;
}

/** Interpret a room's disco#info. */
export function parseRoomInfo(info: DiscoInfo): RoomInfo {
  const f = new Set(info.features);
  const form = findForm(info.forms, FORM_ROOMINFO);
  const identityName = info.identities.find((i) => i.category === 'conference')?.name ?? '';
  const occ = formValue(form, 'muc#roominfo_occupants');
  const description = formValue(form, 'muc#roominfo_description');
  const subject = formValue(form, 'muc#roominfo_subject');
  return {
    isRoom: hasIdentity(info, 'conference') && f.has(NS_MUC),
    name: (identityName || formValue(form, 'muc#roomconfig_roomname')).slice(0, 200),
    description: description.slice(0, 2000),
    subject: subject.slice(0, 2000),
    occupants: /^\d{1,9}$/.test(occ) ? Number(occ) : null,
    language: formValue(form, 'muc#roominfo_lang').slice(0, 35),
    logs: formValue(form, 'muc#roominfo_logs').slice(0, 500),
    contactJids: formValues(form, 'muc#roominfo_contactjid').map((s) => s.trim()).filter(Boolean).slice(0, 20),
    avatarHash: formValue(form, 'muc#roominfo_avatarhash').slice(0, 128),
    public: flag(f, 'muc_public', 'muc_hidden'),
    persistent: flag(f, 'muc_persistent', 'muc_temporary'),
    open: flag(f, 'muc_open', 'muc_membersonly'),
    passwordProtected: flag(f, 'muc_passwordprotected', 'muc_unsecured'),
    moderated: flag(f, 'muc_moderated', 'muc_unmoderated'),
    anonymity: f.has('muc_nonanonymous') ? 'nonanonymous' : f.has('muc_semianonymous') ? 'semianonymous' : '',
    optedOut: hasNoindexMarker(description) || hasNoindexMarker(subject),
  };
}

/**
 * May this room be listed? Public, persistent, open, and not password
 * protected: each must be stated by the room. A room that omits
 * `muc_unsecured` but also `muc_passwordprotected` is listed only if the
 * other three flags are stated (some servers send only one of the pair).
 * And it did not opt out.
 */
export function isListableRoom(room: RoomInfo): boolean {
  return room.isRoom && room.public === true && room.persistent === true && room.open === true && room.passwordProtected !== true && !room.optedOut;
}

/** What kind of MUC service a disco#info describes. */
export function mucServiceKind(info: DiscoInfo): 'muc' | 'gateway' | null {
  if (!info.features.includes(NS_MUC) && !hasIdentity(info, 'conference')) return null;
  if (hasIdentity(info, 'conference', 'text')) return 'muc';
  if (hasIdentity(info, 'conference')) return 'gateway';
  return null;
}
