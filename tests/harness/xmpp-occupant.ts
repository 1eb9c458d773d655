/**
 * A test-only XMPP user that joins rooms on OUR OWN e2e servers, so that the
 * rooms have occupants for the crawler to count. Never used on crawled
 * servers (the crawler itself never sends presence or joins rooms).
 * Built on crawler/net/xmpp-stream.ts; SASL PLAIN over TLS.
 */
import type { NetContext } from '../../crawler/net/context.ts';
import { XmppStream } from '../../crawler/net/xmpp-stream.ts';
import { plainMessage } from '../../crawler/protocol/xmpp-sasl-scram.ts';
import { escapeXml } from '../../crawler/protocol/xmpp-element.ts';

export interface Occupant {
  /** Join `room@service` as `nick` and wait for the self-presence (status 110). */
  join(roomJid: string, nick: string): Promise<void>;
  /** Send an iq get and return the reply's payload children as text (test helper). */
  ask(to: string, ns: string): Promise<string>;
  close(): void;
}

/** Log `user@domain` in at `ip:5222`. */
export async function connectOccupant(ctx: NetContext, ip: string, user: string, domain: string, password: string): Promise<Occupant> {
  const s = await XmppStream.open(ctx, { host: ip, port: 5222, domain, mode: 'c2s' });
  await s.start();
  await s.starttls();
  await s.start();
  s.send(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${plainMessage(user, password)}</auth>`);
  const outcome = await s.next((el) => el.ns === 'urn:ietf:params:xml:ns:xmpp-sasl', 'SASL outcome');
  if (outcome.local !== 'success') throw new Error(`occupant ${user}@${domain}: SASL ${outcome.local}`);
  s.resetParser();
  await s.start();
  s.send(`<iq type='set' id='b'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>test</resource></bind></iq>`);
  await s.next((el) => el.local === 'iq' && el.attrs.id === 'b', 'bind');
  return {
    async join(roomJid, nick) {
      const to = `${roomJid}/${nick}`;
      s.send(`<presence to='${escapeXml(to)}'><x xmlns='http://jabber.org/protocol/muc'/></presence>`);
      await s.next((el) => el.local === 'presence' && (el.attrs.from ?? '').toLowerCase() === to.toLowerCase(), `self-presence in ${roomJid}`, 20_000);
    },
    async ask(to, ns) {
      s.send(`<iq type='get' id='ask1' to='${escapeXml(to)}'><query xmlns='${escapeXml(ns)}'/></iq>`);
      const reply = await s.next((el) => el.local === 'iq' && el.attrs.id === 'ask1', `reply from ${to}`, 10_000);
      return JSON.stringify(reply);
    },
    close: () => s.close(),
  };
}
