/**
 * Display names and families of the implementations Chatlas identifies
 * (the normalised names come from crawler/identify/rules.ts).
 */

const NAMES: Record<string, string> = {
  synapse: 'Synapse', dendrite: 'Dendrite', conduit: 'Conduit', conduwuit: 'conduwuit', continuwuity: 'continuwuity',
  tuwunel: 'Tuwunel', prosody: 'Prosody', snikket: 'Snikket', ejabberd: 'ejabberd', openfire: 'Openfire', tigase: 'Tigase',
  mongooseim: 'MongooseIM', metronome: 'Metronome', unknown: 'Unidentified',
};

/** Conduit and its forks are compared as one family too. */
const FAMILY: Record<string, string> = { conduit: 'Conduit family', conduwuit: 'Conduit family', continuwuity: 'Conduit family', tuwunel: 'Conduit family' };

/** `synapse` → `Synapse`; an unknown name is shown as stored (it is escaped when rendered). */
export function softwareName(name: string): string {
  return NAMES[name] ?? name;
}

/** The family an implementation belongs to, or its own display name. */
export function softwareFamily(name: string): string {
  return FAMILY[name] ?? softwareName(name);
}

/** A stable colour per implementation, readable on light and dark backgrounds. */
const COLORS: Record<string, string> = {
  synapse: '#0b7a75', dendrite: '#7c5cbf', conduit: '#c2410c', conduwuit: '#d97706', continuwuity: '#b45309', tuwunel: '#a16207',
  prosody: '#2563eb', snikket: '#db2777', ejabberd: '#16a34a', openfire: '#9333ea', tigase: '#0891b2', unknown: '#6b7280',
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
