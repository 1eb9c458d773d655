/**
 * IPv4 and IPv6 reachability of the federation target: one guarded TCP
 * connection per address family (first address of A / AAAA). `false` when
 * the family has no address (no A / AAAA record, as the XMPP probe records
 * it); `null` when the lookup failed. An IP-literal target only tells its own
 * family: the other stays `null`.
 * A family already proven by the probe's own HTTP connection (`proven`, the
 * remote address the federation requests used) is not connected to again.
 */
import net from 'node:net';
import { ProbeError } from '../errors.ts';
import type { MatrixRecorder } from './matrix-http.ts';

export async function reachability(rec: MatrixRecorder, host: string, port: number, proven = ''): Promise<{ ipv4: boolean | null; ipv6: boolean | null }> {
  const out: { ipv4: boolean | null; ipv6: boolean | null } = { ipv4: null, ipv6: null };
  const literal = net.isIP(host);
  for (const family of [4, 6] as const) {
    const key = family === 4 ? 'ipv4' : 'ipv6';
    const step = `net.${key}`;
    const started = performance.now();
    let address: string | undefined;
    if (net.isIP(proven) === family) {
      out[key] = true;
      rec.record(step, 'ok', 0, { host, address: proven, port, reused: true });
      continue;
    }
    try {
      if (literal !== 0) address = literal === family ? host : undefined;
      else {
        const answer = family === 4 ? await rec.ctx.dns.a(host, { signal: rec.signal }) : await rec.ctx.dns.aaaa(host, { signal: rec.signal });
        address = answer.records[0];
      }
      if (address === undefined) {
        // No A / AAAA record: a "no", as the XMPP probe records it (an IP literal says nothing of the other family).
        if (literal === 0) out[key] = false;
        rec.record(step, 'absent', performance.now() - started, { host });
        continue;
      }
      const socket = await rec.ctx.connect({ host: address, port, signal: rec.signal, budget: rec.budget.ticket('setup') });
      socket.destroy();
      out[key] = true;
      rec.record(step, 'ok', performance.now() - started, { host, address, port });
    } catch (error) {
      const e = ProbeError.from(error);
      if (address !== undefined) out[key] = false;
      rec.record(step, e.code, performance.now() - started, { host, address: address ?? '', port }, '', e.message);
    }
  }
  return out;
}
