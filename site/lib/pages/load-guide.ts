/**
 * The guide (`/choose`, issue 15): "Find a server to join". The graded entries
 * (guide/guide.ts) are memoised per store and served stale while one refresh
 * runs, like the other pages' rollup reads; filtering, sorting and paging are
 * guide/query.ts's. This file makes the page's view of one page of entries:
 * the summary, the count left out for an unknown fact, the paging links and
 * the rubric; each server's row is site/lib/guide-row-view.ts's.
 */
import type { Db } from '../../../db/client.ts';
import { loadGuideEntries } from '../../../guide/guide.ts';
import { guideQuerySchema, InvalidGuideCursorError, queryGuide, type GuideEntry, type GuidePage, type GuideQuery, type GuideSort } from '../../../guide/query.ts';
import { formatNumber } from '../format.ts';
import { memo, PAGE_STALE_MS } from '../memo.ts';
import { parseQuery } from '../params.ts';
import { guideRowView, type GuideRowView } from '../guide-row-view.ts';
import { rubricView, type RubricView } from '../guide-rubric.ts';
import type { PageResult } from './page-result.ts';
import { cursorLink } from './cursor-link.ts';

/** How long the graded list is reused before one background refresh replaces it (its facts change once per probe). */
export const GUIDE_TTL_MS = 5 * 60_000;

/**
 * Every server of the guide graded, memoised per store: a burst of visitors
 * (page and API) grades once, and a refresh never makes a visitor wait once
 * a first value exists (stale-while-revalidate, {@link PAGE_STALE_MS}).
 */
export function guideEntries(db: Db, now: Date): Promise<GuideEntry[]> {
  // The cache's clock stays the wall clock, as for the other pages (its entries share one cache per store);
  // `now` is the time the entries are graded at.
  return memo(db, 'guide:entries', () => loadGuideEntries(db, now), { ttlMs: GUIDE_TTL_MS, staleMs: PAGE_STALE_MS });
}

/** Everything `/choose` renders. */
export interface GuideView {
  query: GuideQuery;
  /** The form's fields as submitted (trimmed), to fill the form again. */
  form: Partial<Record<keyof GuideQuery, string>>;
  rows: GuideRowView[];
  total: number;
  unknownExcluded: number;
  /** `12 servers match.` */
  summary: string;
  /** How many were left out only for an unknown fact, in words; null when none. */
  leftOut: string | null;
  nextHref: string | null;
  firstHref: string | null;
  /** The same question to `GET /api/v1/guide` (blank fields left out: the API judges values as sent). */
  apiHref: string;
  rubric: RubricView;
}

/** Load `/choose` for `url` at `now`. */
export async function loadGuide(db: Db, url: URL, now: Date): Promise<PageResult<GuideView>> {
  const q = parseQuery(guideQuerySchema, url.searchParams);
  if (!q.ok) return { kind: 'bad-request', issues: q.issues };
  let page: GuidePage;
  try {
    page = queryGuide(await guideEntries(db, now), q.value);
  } catch (error) {
    if (error instanceof InvalidGuideCursorError) return { kind: 'bad-request', issues: [{ field: 'cursor', message: error.message }] };
    throw error;
  }
  return { kind: 'ok', view: guideView(page, q.value, url, now) };
}

/** The page's view of one page of the guide (pure). */
export function guideView(page: GuidePage, query: GuideQuery, url: URL, now: Date): GuideView {
  const form: Partial<Record<keyof GuideQuery, string>> = {};
  for (const key of Object.keys(guideQuerySchema.shape) as (keyof GuideQuery)[]) {
    const raw = url.searchParams.get(key)?.trim();
    if (raw) form[key] = raw;
  }
  const link = (cursor: string | null) => cursorLink(url, cursor);
  const n = page.unknownExcluded;
  return {
    query, form,
    rows: page.rows.map((e) => guideRowView(e, now)),
    total: page.total,
    unknownExcluded: n,
    summary: `${formatNumber(page.total)} server${page.total === 1 ? '' : 's'} match${page.total === 1 ? 'es' : ''}${query.cursor ? ' (this page and the next ones)' : ''}.`,
    leftOut: n === 0 ? null : `${formatNumber(n)} more ${n === 1 ? 'was' : 'were'} left out only because a fact you filtered on is not known for ${n === 1 ? 'it' : 'them'} yet (not because ${n === 1 ? 'it fails' : 'they fail'} it).`,
    nextHref: page.nextCursor ? link(page.nextCursor) : null,
    firstHref: query.cursor ? link(null) : null,
    apiHref: `/api/v1/guide${Object.keys(form).length > 0 ? `?${new URLSearchParams(form as Record<string, string>).toString()}` : ''}`,
    rubric: rubricView(),
  };
}

/** Labels of the sort keys, for the form. */
export const GUIDE_SORT_LABELS: Readonly<Record<GuideSort, string>> = {
  grade: 'Grade', uptime30: 'Uptime, 30 days', uptime90: 'Uptime, 90 days', 'tls-days': 'TLS days left', current: 'Most current version',
  age: 'Oldest first', rooms: 'Public rooms', members: 'Members', upload: 'Upload limit', domain: 'Domain',
};
