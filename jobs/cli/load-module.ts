import { basename } from 'node:path';
import { NotBuiltError } from './errors.ts';

/**
 * Import a module that provides a capability, turning "the module is not
 * there" into a plain NotBuiltError instead of a stack trace, so a command
 * never pretends to work.
 */
export async function loadCapability<T>(specifier: string, what: string): Promise<T> {
  try {
    return (await import(new URL(specifier, import.meta.url).href)) as T;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(basename(specifier))) {
      throw new NotBuiltError(`${what} is not built yet in this version of Chatlas`);
    }
    throw error;
  }
}
