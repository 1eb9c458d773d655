/**
 * Chatlas's version, from package.json (one source: `--version`, the federation `version`
 * endpoint and the logs all say the same).
 */
import { readFileSync } from 'node:fs';

/** The `version` field of package.json. */
export const CHATLAS_VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
