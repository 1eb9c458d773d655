/**
 * The ownership challenge: where the token must be published and how a
 * published value is recognised. Pure.
 *
 * - DNS: TXT `_chatlas-verify.<domain>` = `chatlas-verify=<token>`
 *   (the `_`-prefixed owner name follows RFC 8552 so it cannot clash with hosts);
 * - HTTPS: `https://<domain>/.well-known/chatlas-verify.txt` holding the token
 *   (RFC 8615 well-known URI).
 */

/** The DNS owner name of the challenge record. */
export function challengeTxtName(domain: string): string {
  return `_chatlas-verify.${domain}`;
}

/** The exact TXT value that proves ownership. */
export function challengeTxtValue(token: string): string {
  return `chatlas-verify=${token}`;
}

/** The URL whose body proves ownership. */
export function challengeUrl(domain: string): string {
  return `https://${domain}/.well-known/chatlas-verify.txt`;
}

/** Whether one of the TXT records is exactly the challenge value (surrounding blanks ignored). */
export function txtProves(records: readonly string[], token: string): boolean {
  const want = challengeTxtValue(token);
  return token.length > 0 && records.some((r) => r.trim() === want);
}

/**
 * Whether a well-known body proves ownership: one of its lines, trimmed, is
 * the token or the TXT form of it. Substring matches are refused, so a page
 * that echoes whatever is in its URL cannot be used to prove a claim.
 */
export function bodyProves(body: string, token: string): boolean {
  if (token.length === 0) return false;
  return body.split(/\r?\n/).some((line) => {
    const l = line.trim();
    return l === token || l === challengeTxtValue(token);
  });
}

/** The instructions shown to the registrant. */
export function challengeInstructions(domain: string, token: string, expiresAt: Date) {
  return {
    deadline: expiresAt.toISOString(),
    dnsTxt: { name: challengeTxtName(domain), value: challengeTxtValue(token) },
    wellKnown: { url: challengeUrl(domain), body: token },
  };
}
