/**
 * Words for a Matrix server's room-directory exposure (crawler/types.ts DIRECTORY_EXPOSURES), as
 * the server page shows it. '' (not measured: older snapshots, XMPP) says so rather than "none".
 */
import { DIRECTORY_EXPOSURES, type DirectoryExposure } from '../../crawler/types.ts';

const LABELS: Record<DirectoryExposure, string> = {
  none: 'not shared (neither with clients without a token nor over federation)',
  client: 'shared with clients without a token, not over federation',
  federation: 'shared over federation (clients need a token)',
  both: 'shared with clients without a token and over federation',
};

/** The label of a stored `directory` value. */
export function directoryLabel(stored: string | undefined | null): string {
  return (DIRECTORY_EXPOSURES as readonly string[]).includes(stored ?? '') ? LABELS[stored as DirectoryExposure] : 'not measured';
}
