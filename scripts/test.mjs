// `npm test`: the type check (tsc --noEmit over src/, tests/ and scripts/) and vitest side by side,
// not one after the other: tsc alone takes 20–30 s of one core, vitest keeps both busy for minutes.
// Arguments go to vitest. Exits non-zero when either fails; tsc's findings are printed at the end,
// after vitest's report, so they are not lost in it.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const bin = (name) => fileURLToPath(new URL(`../node_modules/.bin/${name}`, import.meta.url));

/** Resolves with the exit code (1 when killed by a signal or not started). */
function run(command, args, stdio) {
  const child = spawn(command, args, { cwd: root, stdio });
  const output = [];
  child.stdout?.on('data', (chunk) => output.push(chunk));
  child.stderr?.on('data', (chunk) => output.push(chunk));
  return new Promise((resolve) => {
    child.on('error', (error) => {
      output.push(Buffer.from(`${command}: ${error.message}\n`));
      resolve({ code: 1, output });
    });
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

// --skipLibCheck: the dependencies' declaration files are checked by the build (`npm run build`,
// which `npm ci` and the global setup run); checking them again here cost 11 of this check's 32
// CPU-seconds. Our own files are checked in full; `npm run typecheck` checks everything.
const typecheck = run(bin('tsc'), ['--noEmit', '--skipLibCheck', '-p', '.'], ['ignore', 'pipe', 'pipe']);
const tests = run(bin('vitest'), ['run', ...process.argv.slice(2)], 'inherit');
const [types, suite] = await Promise.all([typecheck, tests]);

if (types.code !== 0) {
  process.stderr.write(Buffer.concat(types.output));
  process.stderr.write(`\nnpm test: the type check failed (tsc --noEmit exit ${types.code})\n`);
}
process.exitCode = types.code !== 0 ? types.code : suite.code;
