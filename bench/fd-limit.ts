import { readFileSync } from 'node:fs';

/** The soft limit of open files of this process (Linux /proc/self/limits), or Infinity when unknown. */
export function fdLimit(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const n = Number(line?.split(/\s+/)[3]);
    return Number.isFinite(n) ? n : Infinity;
  } catch {
    return Infinity;
  }
}
