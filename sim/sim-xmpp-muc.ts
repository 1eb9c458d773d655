/**
 * disco#info of MUC services, rooms and upload components, in the shapes real
 * servers send (TEST, DEMO AND BENCH ONLY). Sources as in
 * sim/sim-xmpp-replies.ts: the Prosody 0.12.3 and ejabberd 23.01
 * templates reproduce tests/fixtures/xep0030-disco/*-muc-service-info and
 * tests/fixtures/xep0045-muc/*-room-* byte for byte (checked by
 * tests/integration/crawler/xmpp/sim-federation.test.ts); Openfire's are
 * composed from its MUC code (xmppserver/.../muc/spi/IQOwnerHandler.java,
 * MultiUserChatServiceImpl.java getIdentities/getFeatures/getExtendedInfos).
 */
import { CONTACT_KINDS, esc, type Contacts, type SimImpl, type SimRoom } from './sim-xmpp-replies.ts';

const PROSODY_SERVICE_FEATURES = ['urn:xmpp:occupant-id:0', 'http://jabber.org/protocol/muc', 'urn:xmpp:mam:2', 'http://jabber.org/protocol/muc#unique', 'http://jabber.org/protocol/disco#info', 'http://jabber.org/protocol/disco#items', 'http://jabber.org/protocol/commands'];
const EJABBERD_SERVICE_FEATURES = ['http://jabber.org/protocol/disco#info', 'http://jabber.org/protocol/disco#items', 'http://jabber.org/protocol/muc', 'vcard-temp', 'urn:xmpp:mucsub:0', 'http://jabber.org/protocol/muc#unique', 'jabber:iq:register', 'http://jabber.org/protocol/rsm'];

/** disco#info of a MUC service (Prosody and ejabberd repeat the host's serverinfo form there). */
export function mucServiceInfo(impl: SimImpl, contacts: Contacts): string {
  if (impl === 'ejabberd') {
    const form = `<x type='result' xmlns='jabber:x:data'><field var='FORM_TYPE' type='hidden'><value>http://jabber.org/network/serverinfo</value></field>${CONTACT_KINDS.filter((k) => (contacts[k] ?? []).length).map((k) => `<field var='${k}-addresses' type='list-multi'>${(contacts[k] ?? []).map((a) => `<value>${esc(a)}</value>`).join('')}</field>`).join('')}</x>`;
    return `<query xmlns='http://jabber.org/protocol/disco#info'><identity name='Chatrooms' type='text' category='conference'/>${EJABBERD_SERVICE_FEATURES.map((f) => `<feature var='${f}'/>`).join('')}${form}</query>`;
  }
  if (impl === 'openfire') {
    const feats = ['http://jabber.org/protocol/muc', 'http://jabber.org/protocol/disco#info', 'http://jabber.org/protocol/disco#items', 'jabber:iq:search', 'http://jabber.org/protocol/rsm'];
    return `<query xmlns="http://jabber.org/protocol/disco#info"><identity category="conference" name="Public Chatrooms" type="text"/><identity category="directory" name="Public Chatroom Search" type="chatroom"/>${feats.map((f) => `<feature var="${f}"/>`).join('')}</query>`;
  }
  const form = `<x xmlns='jabber:x:data' type='result'><field type='hidden' var='FORM_TYPE'><value>http://jabber.org/network/serverinfo</value></field>${CONTACT_KINDS.map((k) => {
    const v = contacts[k] ?? [];
    return v.length ? `<field type='list-multi' var='${k}-addresses'>${v.map((a) => `<value>${esc(a)}</value>`).join('')}</field>` : `<field type='list-multi' var='${k}-addresses'/>`;
  }).join('')}</x>`;
  return `<query xmlns='http://jabber.org/protocol/disco#info'><identity category='conference' type='text' name='Prosody Chatrooms'/>${PROSODY_SERVICE_FEATURES.map((f) => `<feature var='${f}'/>`).join('')}${form}</query>`;
}

const flags = (r: SimRoom) => ({
  pub: r.public ? 'muc_public' : 'muc_hidden',
  persist: r.persistent ? 'muc_persistent' : 'muc_temporary',
  open: r.open ? 'muc_open' : 'muc_membersonly',
  secured: r.password ? 'muc_passwordprotected' : 'muc_unsecured',
});

/** disco#info of one room with its muc#roominfo form (XEP-0045 §6.4). */
export function roomInfo(impl: SimImpl, r: SimRoom): string {
  const f = flags(r);
  if (impl === 'ejabberd') {
    const text = (v: string, label: string, value: string): string =>
      value ? `<field var='${v}' type='text-single' label='${label}'><value>${esc(value)}</value></field>` : `<field var='${v}' type='text-single' label='${label}'/>`;
    return `<query xmlns='http://jabber.org/protocol/disco#info'>${r.name ? `<identity name='${esc(r.name)}' type='text' category='conference'/>` : `<identity type='text' category='conference'/>`}`
      + `<feature var='vcard-temp'/><feature var='http://jabber.org/protocol/muc'/><feature var='http://jabber.org/protocol/disco#info'/><feature var='http://jabber.org/protocol/disco#items'/><feature var='http://jabber.org/protocol/commands'/>`
      + `<feature var='${f.pub}'/><feature var='${f.persist}'/><feature var='${f.open}'/><feature var='muc_semianonymous'/><feature var='muc_moderated'/><feature var='${f.secured}'/>`
      + `<x type='result' xmlns='jabber:x:data'><field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/muc#roominfo</value></field>`
      + `<field var='muc#roominfo_occupants' type='text-single' label='Number of occupants'><value>${r.occupants}</value></field>`
      + text('muc#roomconfig_roomname', 'Natural-Language Room Name', r.name)
      + text('muc#roominfo_description', 'Room description', r.description)
      + `<field var='muc#roominfo_changesubject' type='boolean' label='Occupants May Change the Subject'><value>1</value></field><field var='muc#roomconfig_allowinvites' type='boolean' label='Occupants are allowed to invite others'><value>0</value></field><field var='muc#roomconfig_allow_query_users' type='boolean' label='Occupants are allowed to query others'><value>1</value></field><field var='muc#roomconfig_allowpm' type='list-single' label='Roles that May Send Private Messages'><value>anyone</value><option label='Anyone'><value>anyone</value></option><option label='Anyone with Voice'><value>participants</value></option><option label='Moderators Only'><value>moderators</value></option><option label='Nobody'><value>none</value></option></field>`
      + `<field var='muc#roominfo_lang' type='text-single' label='Natural Language for Room Discussions'><value>${esc(r.lang)}</value></field></x></query>`;
  }
  if (impl === 'openfire') {
    return `<query xmlns="http://jabber.org/protocol/disco#info"><identity category="conference" name="${esc(r.name)}" type="text"/><feature var="http://jabber.org/protocol/muc"/>`
      + `<feature var="${f.pub}"/><feature var="${f.open}"/><feature var="muc_unmoderated"/><feature var="muc_nonanonymous"/><feature var="${f.secured}"/><feature var="${f.persist}"/>`
      + `<feature var="http://jabber.org/protocol/disco#info"/><x xmlns="jabber:x:data" type="result"><field var="FORM_TYPE" type="hidden"><value>http://jabber.org/protocol/muc#roominfo</value></field>`
      + `<field var="muc#roominfo_description" label="Description"><value>${esc(r.description)}</value></field><field var="muc#roominfo_subject" label="Subject"><value></value></field>`
      + `<field var="muc#roominfo_occupants" label="Number of occupants"><value>${r.occupants}</value></field><field var="muc#roominfo_lang" label="Language of discussion"><value>${esc(r.lang)}</value></field></x></query>`;
  }
  const val = (v: string): string => (v ? `<value>${esc(v)}</value>` : '<value/>');
  return `<query xmlns='http://jabber.org/protocol/disco#info'><feature var='http://jabber.org/protocol/muc#request'/><feature var='urn:xmpp:occupant-id:0'/><feature var='jabber:iq:register'/><feature var='muc_unmoderated'/>`
    + `<feature var='${f.persist}'/><feature var='muc_semianonymous'/><feature var='${f.secured}'/><identity category='conference' type='text' name='${esc(r.name)}'/>`
    + `<feature var='http://jabber.org/protocol/muc'/><feature var='http://jabber.org/protocol/muc#stable_id'/><feature var='http://jabber.org/protocol/muc#self-ping-optimization'/><feature var='${f.open}'/><feature var='urn:xmpp:mam:2'/><feature var='urn:xmpp:mam:2#extended'/><feature var='urn:xmpp:sid:0'/><feature var='${f.pub}'/>`
    + `<x xmlns='jabber:x:data' type='result'><field type='hidden' var='FORM_TYPE'><value>http://jabber.org/protocol/muc#roominfo</value></field>`
    + `<field type='text-single' label='Number of occupants' var='muc#roominfo_occupants'><value>${r.occupants}</value></field><field type='boolean' var='muc#roomconfig_changesubject'/>`
    + `<field type='text-single' var='muc#roominfo_lang'>${val(r.lang)}</field><field type='text-single' label='Title' var='muc#roomconfig_roomname'>${val(r.name)}</field>`
    + `<field type='text-single' label='Description' var='muc#roominfo_description'>${val(r.description)}</field>`
    + `<field type='boolean' label='Allow members to invite new members' var='{http://prosody.im/protocol/muc}roomconfig_allowmemberinvites'><value>0</value></field><field type='boolean' label='Allow users to invite other users' var='muc#roomconfig_allowinvites'><value>1</value></field></x></query>`;
}

/** Prosody 0.12 mod_http_file_share's disco#info (see sim-xmpp-replies.ts header). */
export function uploadInfo(maxFileSize: number): string {
  return `<query xmlns='http://jabber.org/protocol/disco#info'><identity category='store' type='file' name='HTTP File Upload'/><feature var='urn:xmpp:http:upload:0'/>`
    + `<x xmlns='jabber:x:data' type='result'><field type='hidden' var='FORM_TYPE'><value>urn:xmpp:http:upload:0</value></field><field type='text-single' var='max-file-size'><value>${maxFileSize}</value></field></x></query>`;
}
