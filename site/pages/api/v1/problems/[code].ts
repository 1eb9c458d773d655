/** GET /api/v1/problems/{code}: a problem `type` URI resolves to its entry in the API docs. */
import { PROBLEMS, problem } from '../../../../lib/api/problem.ts';

export const prerender = false;

export const GET = ({ params }: { params: Record<string, string | undefined> }): Response => {
  const code = params.code ?? '';
  if (!Object.hasOwn(PROBLEMS, code)) return problem('not-found', `no problem type ${JSON.stringify(code.slice(0, 64))}`);
  return new Response(null, { status: 303, headers: { location: `/api#problem-${code}`, 'cache-control': 'public, max-age=86400' } });
};
