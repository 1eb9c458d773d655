/**
 * Synthetic servers for simulated weeks of crawling (TEST AND BENCH ONLY):
 * what each kind of fact costs to measure on a server, in requests, and how
 * the server behaves over the weeks (steady, flapping, dying, appearing,
 * upgrading). A synthetic probe spends those requests through the REAL request
 * budget of the network layer (crawler/net/request-budget.ts), kind by kind,
 * stopping a kind where the network layer refuses, as the real probes do.
 * Used by tests/unit/jobs/crawl/schedule-weeks.test.ts (the pure schedule over
 * weeks) and bench/crawl-week.ts (the real plan, loop and store at 10,000 servers).
 *
 * Costs come from the real probes' shapes: liveness is two or three requests
 * (well-known, robots.txt, federation version; two streams and two observer
 * queries), up to ten when every SRV target fails TLS; setup about ten; the
 * registration request one; a room walk one request per directory page or per
 * room (XMPP disco#info), from one page to far more than any budget allows.
 */
import { createHash } from 'node:crypto';
import { FACT_KINDS, type FactKind } from '../../crawler/fact-kinds.ts';
import { ProbeError } from '../../crawler/errors.ts';
import type { BudgetScope } from '../../crawler/net/request-budget.ts';
import type { Protocol, RegistrationMode, ServerStatus } from '../../crawler/types.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** 32 stable bits per (name, salt). */
const h32 = (s: string): number => createHash('sha1').update(s).digest().readUInt32BE(0);

/** How a server behaves over the simulated time. */
export type Behaviour = 'steady' | 'flapping' | 'dying' | 'appearing' | 'upgrading';

/** One synthetic server. */
export interface ModelServer {
  protocol: Protocol;
  domain: string;
  /** Requests a full measurement of each kind costs here (rooms: the whole walk, which may exceed any cap). */
  cost: Record<FactKind, number>;
  behaviour: Behaviour;
  /** Registration as its registration request shows it. */
  registration: RegistrationMode;
  /** Public rooms it lists. */
  rooms: number;
}

/**
 * `n` servers, a third XMPP, sizes and behaviours from a hash of the name:
 * 70% small, 20% medium, 8% large, 2% huge (a walk far past any budget, and
 * liveness at its worst case); 80% steady, 6% flapping, 5% dying on day 3,
 * 5% appearing on day 3, 4% upgrading on day 4.
 */
export function modelServers(n: number): ModelServer[] {
  return Array.from({ length: n }, (_, i) => {
    const domain = `s${i}.bench${i % 251}.net`;
    const protocol: Protocol = i % 3 === 0 ? 'xmpp' : 'matrix';
    const size = h32(`${domain}:size`) % 100;
    const [liveness, setup, walk] = size < 70 ? [2, 8, 1 + (h32(`${domain}:r`) % 3)] : size < 90 ? [3, 10, 10 + (h32(`${domain}:r`) % 40)] : size < 98 ? [4, 12, 100 + (h32(`${domain}:r`) % 300)] : [10, 20, 5000];
    const k = h32(domain) % 100;
    const behaviour: Behaviour = k < 80 ? 'steady' : k < 86 ? 'flapping' : k < 91 ? 'dying' : k < 96 ? 'appearing' : 'upgrading';
    const r = h32(`${domain}:reg`) % 10;
    const registration: RegistrationMode = r < 6 ? 'closed' : r < 8 ? 'open' : r < 9 ? 'token' : 'unknown';
    return { protocol, domain, cost: { liveness, setup, rooms: walk, register: 1 }, behaviour, registration, rooms: Math.max(0, walk * 20 - 5) };
  });
}

/** Whether `s` answers at `at` (`t0`: the start of the simulation). */
export function isUp(s: ModelServer, at: number, t0: number): boolean {
  const day = Math.floor((at - t0) / DAY);
  switch (s.behaviour) {
    case 'flapping': return h32(`${s.domain}:${Math.floor((at - t0) / HOUR)}`) % 3 !== 0;
    case 'dying': return day < 2;
    case 'appearing': return day >= 2;
    default: return true;
  }
}

/** The version `s` runs at `at`: upgrading servers change on day 4. */
export function versionOf(s: ModelServer, at: number, t0: number): string {
  return s.behaviour === 'upgrading' && at - t0 >= 3 * DAY ? '1.1.0' : '1.0.0';
}

/** What one synthetic probe did. */
export interface ModelProbe {
  status: ServerStatus;
  /** Kinds attempted (measured), in FACT_KINDS order. */
  measured: FactKind[];
  /** Requests sent (what the network layer counted). */
  sent: number;
  /** Requests the network layer refused, per kind. */
  refused: Partial<Record<FactKind, number>>;
}

/**
 * Probe `s` for the `due` kinds at `at`, every request taken from `scope` (the
 * real budget of the network layer). A server that is down costs its
 * liveness attempts and measures nothing else; a refused request ends its kind.
 */
export function spendProbe(s: ModelServer, due: readonly FactKind[], scope: BudgetScope, at: number, t0: number): ModelProbe {
  const up = isUp(s, at, t0);
  const refused: Partial<Record<FactKind, number>> = {};
  const measured: FactKind[] = [];
  for (const kind of FACT_KINDS) {
    if (!due.includes(kind)) continue;
    if (!up && kind !== 'liveness') break;
    measured.push(kind);
    // A server that is down still costs the connection attempts of liveness.
    const cost = s.cost[kind];
    for (let i = 0; i < cost; i++) {
      try {
        scope.take(kind, kind === 'rooms' && s.protocol === 'xmpp' ? 'observer' : 'http');
      } catch (error) {
        if (!(error instanceof ProbeError) || error.code !== 'policy.budget-exhausted') throw error;
        refused[kind] = (refused[kind] ?? 0) + 1;
        break;
      }
    }
  }
  return { status: up ? 'ok' : 'unreachable', measured, sent: scope.sent, refused };
}
