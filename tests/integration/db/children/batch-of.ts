import type { ProbeResult } from '../../../../crawler/types.ts';

/** Rows per batch: large enough that a kill lands inside an insert most of the time. */
export const SERVERS_PER_BATCH = 2_000;
export const STEPS_PER_SERVER = 20;

/** Batch n: its own pass id, so every row of the batch can be counted back. */
export function batchOf(n: number): ProbeResult[] {
  const passId = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const observedAt = new Date(Date.UTC(2026, 0, 1) + n * 1000);
  return Array.from({ length: SERVERS_PER_BATCH }, (_, i) => {
    const domain = `s${i}.crash.test`;
    return {
      snapshot: {
        passId, domain, protocol: 'xmpp' as const, observedAt, status: 'ok' as const, software: 'prosody', versionRaw: '13.0.6', version: '13.0.6',
        registration: 'closed' as const, features: ['starttls'], specVersions: [], tls: null, dnssec: null, dane: null, ipv4: true, ipv6: null,
        publicRooms: 0, publicMembers: 0, users: null, endpoint: '', error: '', report: [],
      },
      observations: Array.from({ length: STEPS_PER_SERVER }, (_, s) => ({
        passId, domain, protocol: 'xmpp' as const, step: `step.${s}`, observedAt, outcome: 'ok', durationMs: s,
        facts: { s }, raw: `<features>${'x'.repeat(200)}</features>`, error: '',
      })),
      rooms: [],
      discoveries: [],
    };
  });
}
