import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string; homepage: string };

export const VERSION = pkg.version;
export const HOMEPAGE = pkg.homepage;
/** Written into feeds and the User-Agent, so publishers and readers can find us. */
export const GENERATOR = `feedmirror ${VERSION}`;
export const USER_AGENT = `feedmirror/${VERSION} (+${HOMEPAGE})`;
