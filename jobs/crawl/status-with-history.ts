/**
 * The crawl loop's half of "count only what runs a protocol" (issue 13 item 7).
 * A probe sees one moment: with no sign of the protocol (no SRV record or
 * well-known for it, nothing answering its ports) it says `not-a-server`
 * (crawler/probe/protocol-sign.ts). The loop knows the past: a server that
 * answered within the history window (jobs/crawl/plan-pass.ts `answeredAt`)
 * and now shows no sign has gone down or lost its DNS, it has not stopped
 * being a server; it is `unreachable`, counted, and backed off like any
 * server that is down. Pure.
 */
import type { ProbeResult, ReportItem } from '../../crawler/types.ts';

const NAMES = { xmpp: 'XMPP', matrix: 'Matrix' } as const;

/**
 * `result` with its status decided by history: a `not-a-server` probe of a
 * server that answered at `answeredAt` becomes `unreachable`, with a report
 * line saying why; anything else is returned as it is.
 * @param answeredAt the server's last ok probe in the history window, `null` when none.
 * @example withHistory(notAServer, new Date('2026-01-10')).snapshot.status // 'unreachable'
 */
export function withHistory(result: ProbeResult, answeredAt: Date | null): ProbeResult {
  const s = result.snapshot;
  if (s.status !== 'not-a-server' || answeredAt === null) return result;
  const note: ReportItem = {
    step: `${s.protocol}.status`, level: 'error',
    message: `It answered as a ${NAMES[s.protocol]} server on ${answeredAt.toISOString().slice(0, 10)}, and now nothing does: counted as unreachable.`,
  };
  return { ...result, snapshot: { ...s, status: 'unreachable', error: s.error || `no sign of ${NAMES[s.protocol]} any more`, report: [...s.report, note] } };
}
