/**
 * The CLI run in this process (tests/helpers/in-process-cli.ts) with the result shaped as a child's,
 * for hostile-input tests whose command is not about the process: no signal, no peak memory, no
 * deadline (nothing runs outside the test's own event loop).
 */
import { runCliInProcess } from '../../helpers/in-process-cli.js';
import type { ChildResult } from './processes.js';

export async function runInProcess(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<ChildResult> {
  const result = await runCliInProcess(args, options);
  return { ...result, signal: null, peakRssBytes: null, rssSource: 'none', timedOut: false };
}
