/**
 * Read the nameservers of resolv.conf(5), pure. Only `nameserver` lines
 * count; at most 3 are used, as glibc does (MAXNS). Scoped IPv6 addresses
 * (`fe80::1%eth0`) are skipped: our client does not bind to interfaces.
 */
import net from 'node:net';
import type { ResolverAddress } from '../config.ts';

/** Most nameservers used (glibc resolv.h MAXNS). */
const MAX_NAMESERVERS = 3;

/** Parse resolv.conf text into resolver addresses (port 53). */
export function parseResolvConf(text: string): ResolverAddress[] {
  const out: ResolverAddress[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const m = /^nameserver\s+(\S+)$/.exec(line);
    if (!m?.[1] || m[1].includes('%') || net.isIP(m[1]) === 0) continue;
    out.push({ host: m[1], port: 53 });
    if (out.length === MAX_NAMESERVERS) break;
  }
  return out;
}
