/**
 * SQL fragments that decide what the public may see. Every listing query
 * (server list, server page, room directory) filters through these, so an
 * opt-out or a hidden room is honoured everywhere at once (issue 7).
 *
 * - A domain is hidden when a *verified* registration hides it or asks for
 *   removal (state `removed`, registration/manage-registration.ts), or
 *   when an opt-out (DNS TXT, robots.txt, registration) is active.
 *   Each registration's latest row wins (registrations is append-only).
 * - A room is hidden when the verified registration of the server that lists
 *   it names the room: an admin can hide only rooms of their own server.
 */

/** `SELECT domain` of hidden or opted-out domains. */
export const HIDDEN_DOMAINS_SQL = `
  SELECT domain FROM (
    SELECT domain, registration_id,
           argMax(state, updated_at) AS st, argMax(hidden, updated_at) AS h, argMax(opt_out, updated_at) AS o
    FROM registrations GROUP BY domain, registration_id
  ) WHERE st IN ('verified', 'removed') AND (h OR o)
  UNION DISTINCT
  SELECT domain FROM (
    SELECT domain, source, argMax(active, observed_at) AS a FROM opt_outs GROUP BY domain, source
  ) WHERE a`;

/** `SELECT domain, room_id` of rooms hidden by their server's verified admin. */
export const HIDDEN_ROOMS_SQL = `
  SELECT domain, arrayJoin(hr) AS room_id FROM (
    SELECT domain, registration_id, argMax(state, updated_at) AS st, argMax(hidden_rooms, updated_at) AS hr
    FROM registrations GROUP BY domain, registration_id
  ) WHERE st IN ('verified', 'removed')`;
