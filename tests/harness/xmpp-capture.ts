/**
 * Fixture capture tool (test only): talks to a REAL local XMPP server on a
 * loopback address and writes what the server sent, byte for byte, into
 * files. Deliberately independent of crawler/ code so that fixtures are not
 * shaped by the parser they later test.
 *
 * Usage:
 *   node tests/harness/xmpp-capture.ts <ip> <domain> <outdir> [user password]
 *
 * Writes <outdir>/<step>.xml for: the stream header+features before TLS, the
 * features after STARTTLS, an unauthenticated jabber:iq:register get, and,
 * with credentials, features after auth and iq results (disco#info, disco#items,
 * version on the domain; disco#items/info on the MUC host and its rooms given by
 * CHATLAS_CAPTURE_IQ as `to|ns[|node]` entries separated by spaces). Every wait
 * is bounded (2 s of silence ends a step, 10 s total per step).
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [ip, domain, outdir, user, password] = process.argv.slice(2);
if (!ip || !domain || !outdir) throw new Error('usage: xmpp-capture.ts <ip> <domain> <outdir> [user password]');
mkdirSync(outdir, { recursive: true });
const ca = process.env.CHATLAS_CAPTURE_CA ? readFileSync(process.env.CHATLAS_CAPTURE_CA) : undefined;

const header = (to: string) =>
  `<?xml version='1.0'?><stream:stream to='${to}' version='1.0' xml:lang='en' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>`;

/** Sends `out` and collects replies until `until` matches or the step times out. */
function exchange(sock: Socket | TLSSocket, out: string, until: RegExp): Promise<string> {
  return new Promise((resolve) => {
    let got = '';
    const done = () => { clearTimeout(total); sock.off('data', onData); resolve(got); };
    const total = setTimeout(done, 10_000);
    const onData = (b: Buffer) => { got += b.toString('utf8'); if (until.test(got)) done(); };
    sock.on('data', onData);
    if (out) sock.write(out);
  });
}

function save(name: string, text: string): void {
  writeFileSync(join(outdir!, `${name}.xml`), text);
  console.log(`${name}: ${text.length} chars`);
}

const plain = netConnect({ host: ip, port: 5222 });
await new Promise((r, j) => { plain.once('connect', r); plain.once('error', j); });
save('c2s-features-pre-tls', await exchange(plain, header(domain), /<\/stream:features>/));
await exchange(plain, `<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>`, /<proceed|<failure/);
const tls = tlsConnect({ socket: plain, servername: domain, ca, rejectUnauthorized: false });
await new Promise((r, j) => { tls.once('secureConnect', r); tls.once('error', j); });
save('c2s-features-post-tls', await exchange(tls, header(domain), /<\/stream:features>/));
save('register-get-unauthenticated', await exchange(tls, `<iq type='get' id='reg1'><query xmlns='jabber:iq:register'/></iq>`, /<\/iq>|<\/stream:stream>/));

if (user && password) {
  const t2 = tlsConnect({ host: ip, port: 5222, servername: domain, ca, rejectUnauthorized: false });
  // Direct TLS is port 5223; 5222 needs STARTTLS first, so reuse the plain dance.
  t2.destroy();
  const p2 = netConnect({ host: ip, port: 5222 });
  await new Promise((r, j) => { p2.once('connect', r); p2.once('error', j); });
  await exchange(p2, header(domain), /<\/stream:features>/);
  await exchange(p2, `<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>`, /<proceed/);
  const s = tlsConnect({ socket: p2, servername: domain, ca, rejectUnauthorized: false });
  await new Promise((r, j) => { s.once('secureConnect', r); s.once('error', j); });
  await exchange(s, header(domain), /<\/stream:features>/);
  const auth = Buffer.from(`\0${user}\0${password}`).toString('base64');
  await exchange(s, `<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${auth}</auth>`, /<success|<failure/);
  save('c2s-features-post-auth', await exchange(s, header(domain), /<\/stream:features>/));
  await exchange(s, `<iq type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>Chatlas</resource></bind></iq>`, /<\/iq>/);
  const iqs: string[] = [`${domain}|http://jabber.org/protocol/disco#info`, `${domain}|http://jabber.org/protocol/disco#items`, `${domain}|jabber:iq:version`];
  iqs.push(...(process.env.CHATLAS_CAPTURE_IQ ?? '').split(' ').filter(Boolean));
  let n = 0;
  for (const spec of iqs) {
    const [to, ns, node] = spec.split('|');
    const id = `q${++n}`;
    const nodeAttr = node ? ` node='${node}'` : '';
    const reply = await exchange(s, `<iq type='get' id='${id}' to='${to}'><query xmlns='${ns}'${nodeAttr}/></iq>`, new RegExp(`id=['"]${id}['"][^]*</iq>`));
    const short = ns!.replace(/^.*[/:]/, '').replace('#', '-');
    save(`iq-${short}-${to}`, reply);
  }
  s.write('</stream:stream>');
  s.end();
}
tls.write('</stream:stream>');
tls.end();
plain.destroy();

// s2s: the stream a remote server would open to port 5269 (no certificate, so
// only what an unauthenticated peer sees: features before and after STARTTLS).
const s2sHeader = `<?xml version='1.0'?><stream:stream to='${domain}' from='capture.test' version='1.0' xmlns='jabber:server' xmlns:db='jabber:server:dialback' xmlns:stream='http://etherx.jabber.org/streams'>`;
const sp = netConnect({ host: ip, port: 5269 });
await new Promise((r, j) => { sp.once('connect', r); sp.once('error', j); });
save('s2s-features-pre-tls', await exchange(sp, s2sHeader, /<\/stream:features>/));
await exchange(sp, `<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>`, /<proceed|<failure/);
const st = tlsConnect({ socket: sp, servername: domain, ca, rejectUnauthorized: false });
await new Promise((r, j) => { st.once('secureConnect', r); st.once('error', j); });
save('s2s-features-post-tls', await exchange(st, s2sHeader, /<\/stream:features>/));
st.write('</stream:stream>');
st.end();
