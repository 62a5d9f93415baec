import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILD_RECORD_FILE, sourcesHash, type BuildRecord } from '../src/lib/build-identity.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/**
 * The CLI tests run bin/feedmirror.js, which imports the compiled dist/: build it before any test
 * file (`npm run build`), unless dist/ was built from exactly the sources there are now.
 */
export function setup(): void {
  if (isCurrent()) return;
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
}

function isCurrent(): boolean {
  try {
    const record = JSON.parse(readFileSync(path.join(ROOT, 'dist', BUILD_RECORD_FILE), 'utf8')) as BuildRecord;
    return record.sources === sourcesHash(ROOT);
  } catch {
    return false;
  }
}
