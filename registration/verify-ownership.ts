/**
 * Prove that the registrant controls `domain`: the challenge TXT record, or
 * else the well-known file. Both reads go through the injected OwnershipNet
 * (guarded DNS client and bounded HTTPS of crawler/net), under one deadline.
 * Every attempt is kept as evidence so the registrant sees why it failed.
 */
import { withDeadline } from '../crawler/net/deadline.ts';
import { ProbeError } from '../crawler/errors.ts';
import { bodyProves, challengeTxtName, challengeUrl, txtProves } from './challenge.ts';
import type { OwnershipNet } from './deps.ts';

/** One attempt of a check. */
export interface OwnershipEvidence {
  method: 'dns-txt' | 'well-known';
  /** `proved`, `absent` (reached, no token) or a ProbeError code. */
  outcome: string;
  detail: string;
}

/** The result of {@link verifyOwnership}. */
export interface OwnershipResult {
  verified: boolean;
  method: 'dns-txt' | 'well-known' | null;
  evidence: OwnershipEvidence[];
}

function failure(method: OwnershipEvidence['method'], error: unknown): OwnershipEvidence {
  const e = ProbeError.from(error);
  return { method, outcome: e.code, detail: e.message.slice(0, 300) };
}

/** Check the DNS record first (cheap, no connection to the server), then HTTPS. */
export async function verifyOwnership(domain: string, token: string, net: OwnershipNet, timeoutMs = 15_000): Promise<OwnershipResult> {
  const evidence: OwnershipEvidence[] = [];
  const name = challengeTxtName(domain);
  try {
    const records = await withDeadline((signal) => net.txt(name, signal), timeoutMs, 'dns.timeout');
    if (txtProves(records, token)) {
      evidence.push({ method: 'dns-txt', outcome: 'proved', detail: `TXT ${name} holds the token` });
      return { verified: true, method: 'dns-txt', evidence };
    }
    evidence.push({ method: 'dns-txt', outcome: 'absent', detail: `TXT ${name}: ${records.length} record(s), none is the challenge value` });
  } catch (error) {
    evidence.push(failure('dns-txt', error));
  }
  const url = challengeUrl(domain);
  try {
    const { status, body } = await withDeadline((signal) => net.fetchText(url, signal), timeoutMs, 'http.timeout');
    if (status === 200 && bodyProves(body, token)) {
      evidence.push({ method: 'well-known', outcome: 'proved', detail: `${url} holds the token` });
      return { verified: true, method: 'well-known', evidence };
    }
    evidence.push({ method: 'well-known', outcome: 'absent', detail: status === 200 ? `${url} does not hold the token` : `${url} answered HTTP ${status}` });
  } catch (error) {
    evidence.push(failure('well-known', error));
  }
  return { verified: false, method: null, evidence };
}
