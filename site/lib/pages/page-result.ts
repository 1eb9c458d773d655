/** What a page loader returns: its view, or why there is none (the page maps it to a status). */
export type PageResult<T> =
  | { kind: 'ok'; view: T }
  | { kind: 'bad-request'; issues: { field: string; message: string }[] }
  | { kind: 'not-found' };

/**
 * The Response for a failed load. 404 has no body, so Astro renders the site's
 * 404 page with that status; 400 is plain text listing the bad fields.
 */
export function failureResponse(result: Exclude<PageResult<unknown>, { kind: 'ok' }>): Response {
  const headers = { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' };
  if (result.kind === 'not-found') return new Response(null, { status: 404 });
  const lines = result.issues.map((i) => `${i.field}: ${i.message}`).join('\n');
  return new Response(`Bad request\n${lines}\n`, { status: 400, headers });
}
