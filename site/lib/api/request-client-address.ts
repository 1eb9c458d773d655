/**
 * The client address of a page or API request, for per-client decisions
 * (rate limits, pending registrations per client).
 *
 * jobs/serve/server.ts resolves it once per request (the TCP peer, or the client a
 * trusted proxy names: jobs/serve/client-address.ts) and hands it over in
 * `locals`. Without that server (astro dev, a test calling a route by hand)
 * Astro's `clientAddress` is the fallback.
 */

/** The `locals` key jobs/serve/server.ts stores the resolved address under. */
export const CLIENT_ADDRESS_LOCAL = 'chatlasClientAddress';

/** The parts of Astro's context (or APIContext) this reads. */
export interface ClientAddressSource {
  locals?: object;
  /** Astro's getter throws when the adapter cannot tell. */
  clientAddress?: string;
}

/** The request's client address, or undefined when nobody can tell. */
export function requestClientAddress(ctx: ClientAddressSource): string | undefined {
  const resolved = (ctx.locals as Record<string, unknown> | undefined)?.[CLIENT_ADDRESS_LOCAL];
  if (typeof resolved === 'string') return resolved;
  try {
    return ctx.clientAddress;
  } catch {
    return undefined;
  }
}
