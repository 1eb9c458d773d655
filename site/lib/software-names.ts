/**
 * Display names and families of the implementations Chatlas identifies
 * (the normalised names come from crawler/identify/*-rules.ts), and of the
 * software keys that are not implementations (crawler/software-key.ts):
 * `unknown`, `unrecognised`, and a shared unrecognised name, shown quoted
 * and labelled so that a name a server made up never passes for one of ours.
 */
import { parseSoftwareKey } from '../../crawler/types.ts';

const NAMES: Record<string, string> = {
  synapse: 'Synapse', dendrite: 'Dendrite', conduit: 'Conduit', conduwuit: 'conduwuit', continuwuity: 'continuwuity',
  tuwunel: 'Tuwunel', construct: 'Construct', mrs: 'MRS (MatrixRoomsSearch)', chatlas: 'Chatlas', prosody: 'Prosody', snikket: 'Snikket', ejabberd: 'ejabberd', openfire: 'Openfire', tigase: 'Tigase',
  mongooseim: 'MongooseIM', metronome: 'Metronome',
};

/** Conduit and its forks are compared as one family too. */
const FAMILY: Record<string, string> = { conduit: 'Conduit family', conduwuit: 'Conduit family', continuwuity: 'Conduit family', tuwunel: 'Conduit family' };

/**
 * `synapse` → `Synapse`, `unknown` → `Unidentified`, `unrecognised` →
 * `Unrecognised`, `unrecognised:hungry server` → `“hungry server” (unrecognised)`;
 * a plain name not in the table is shown as stored (rendered escaped, as every crawled string).
 */
export function softwareName(key: string): string {
  const k = parseSoftwareKey(key);
  if (k.kind === 'unknown') return 'Unidentified';
  if (k.kind === 'unrecognised') return k.name === null ? 'Unrecognised' : `“${k.name}” (unrecognised)`;
  return NAMES[k.name] ?? k.name;
}

/**
 * The page of a software key, or null for a shared unrecognised name (it has
 * no page of its own: `/software/<name>` takes rule names only, site/lib/params.ts).
 */
export function softwareHref(key: string): string | null {
  const k = parseSoftwareKey(key);
  if (k.kind === 'unrecognised') return k.name === null ? '/software/unrecognised' : null;
  return `/software/${encodeURIComponent(k.kind === 'unknown' ? 'unknown' : k.name)}`;
}

/** The family an implementation belongs to, or its own display name. */
export function softwareFamily(name: string): string {
  return FAMILY[name] ?? softwareName(name);
}

/** A stable colour per implementation, readable on light and dark backgrounds. */
const COLORS: Record<string, string> = {
  synapse: '#0b7a75', dendrite: '#7c5cbf', conduit: '#c2410c', conduwuit: '#d97706', continuwuity: '#b45309', tuwunel: '#a16207',
  construct: '#be185d', mrs: '#0369a1', chatlas: '#4d7c0f',
  prosody: '#2563eb', snikket: '#db2777', ejabberd: '#16a34a', openfire: '#9333ea', tigase: '#0891b2', unknown: '#6b7280',
  unrecognised: '#9ca3af',
};
const SPARE = ['#e11d48', '#4f46e5', '#65a30d', '#0d9488', '#ea580c', '#475569'];

/** Colour of an implementation (a hash picks a spare colour for names not in the table). */
export function softwareColor(name: string): string {
  const c = COLORS[name];
  if (c) return c;
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.codePointAt(0)!) >>> 0;
  return SPARE[h % SPARE.length]!;
}
