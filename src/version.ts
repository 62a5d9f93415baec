import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BUILD_RECORD_FILE, CODE_EXTENSIONS, treeHash, type BuildRecord } from './lib/build-identity.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string; homepage: string };

export const VERSION = pkg.version;
export const HOMEPAGE = pkg.homepage;
/** Written into feeds and the User-Agent, so publishers and readers can find us. */
export const GENERATOR = `feedmirror ${VERSION}`;
export const USER_AGENT = `feedmirror/${VERSION} (+${HOMEPAGE})`;

/** A fleet worker's User-Agent: the publisher's logs (and a test's fixture server) tell the workers apart. */
export function workerUserAgent(workerId: string): string {
  return `feedmirror/${VERSION} (+${HOMEPAGE}; worker ${workerId})`;
}

let build: string | undefined;

/**
 * The identity of the running code: it changes whenever the compiled code does, whatever the
 * version says. Read from what the build recorded beside `dist/`; code run from its sources (the
 * tests, tsx) hashes them instead.
 */
export function buildId(): string {
  build ??= recordedBuild() ?? treeHash(fileURLToPath(new URL('./', import.meta.url)), CODE_EXTENSIONS);
  return build;
}

function recordedBuild(): string | null {
  try {
    return (JSON.parse(readFileSync(new URL(`./${BUILD_RECORD_FILE}`, import.meta.url), 'utf8')) as BuildRecord).code;
  } catch {
    return null;
  }
}
