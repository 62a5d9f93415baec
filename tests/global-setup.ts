import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The CLI tests run bin/feedmirror.js, which imports the compiled dist/; build it once
 * (`npm run build`: tsc -p tsconfig.build.json) before any test file, so no test runs stale output.
 */
export function setup(): void {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: fileURLToPath(new URL('../', import.meta.url)), stdio: ['ignore', 'inherit', 'inherit'] });
}
