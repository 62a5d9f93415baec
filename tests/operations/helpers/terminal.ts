/**
 * `feedmirror …` on a real pseudo-terminal: util-linux `script` gives the child a pty as its
 * stdin, stdout and stderr (so `isTTY` is true, as at a person's terminal), and copies what the
 * child writes to the terminal, escape sequences and all, to its own stdout, which the test reads.
 * `stty` sizes the terminal first (a pty nobody sized says 0 columns).
 */
import { spawn } from 'node:child_process';
import { CLI_BIN } from '../../helpers/workspace.js';
import type { Exit } from './ops-scope.js';

export interface TerminalChild {
  /** Everything written to the terminal so far, raw. */
  output(): string;
  exit: Promise<Exit>;
  hasExited(): boolean;
  kill(): void;
}

export function startInTerminal(args: string[], options: { cwd: string; columns?: number }): TerminalChild {
  const command = `stty cols ${options.columns ?? 120} rows 40 && exec ${[process.execPath, CLI_BIN, ...args].map(shellQuote).join(' ')}`;
  const child = spawn('script', ['--quiet', '--flush', '--return', '--command', command, '/dev/null'], { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let exited = false;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exit = new Promise<Exit>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      exited = true;
      resolve({ code, signal });
    });
  });
  // killing `script` hangs up the terminal, and the hang-up ends feedmirror
  return { output: () => output, exit, hasExited: () => exited, kill: () => void child.kill('SIGKILL') };
}

function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The lines a terminal shows after `raw` was written to it: CR goes back to the start of the
 * line, ESC[2K erases it, LF starts the next; colours are dropped. Enough of a terminal to tell
 * whether a status line was left on the screen or broke into a log line.
 */
export function screenLines(raw: string): string[] {
  const lines: string[][] = [[]];
  let column = 0;
  const text = raw.replace(/\x1b\[[0-9;]*m/g, '');
  for (let i = 0; i < text.length; i++) {
    const line = lines.at(-1)!;
    if (text.startsWith('\x1b[2K', i)) {
      line.length = 0;
      i += 3;
    } else if (text[i] === '\r') column = 0;
    else if (text[i] === '\n') {
      lines.push([]);
      column = 0;
    } else line[column++] = text[i]!;
  }
  return lines.map((line) => line.join('')).filter((line, i, all) => line !== '' || i < all.length - 1);
}
