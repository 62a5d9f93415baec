import type { InputProblem } from '../model/problem.js';
import { emptySourceState, type SourceState } from '../model/source-state.js';
import { plural } from '../lib/plural.js';

const LISTED_FILES = 3;

/**
 * A seeds source's state after a run, for `status` and the site index: its error is the files it
 * could not read (or its folder), and stays as it is while they stay bad. Failures count 1 while
 * there are any: a folder does not fail "again" each run, and an unchanged one rewrites nothing.
 * Null when the state stored already says this.
 */
export function nextSeedState(sourceId: string, previous: SourceState | undefined, problems: InputProblem[]): SourceState | null {
  const base = previous ?? emptySourceState(sourceId);
  const next: SourceState = problems.length === 0
    ? { ...base, lastOutcome: 'ok', lastError: null, lastErrorCode: null, failures: 0 }
    : { ...base, lastOutcome: 'error', lastError: describeProblems(problems), lastErrorCode: problems[0]!.code, failures: 1 };
  const same = previous && previous.lastOutcome === next.lastOutcome && previous.lastError === next.lastError && previous.failures === next.failures;
  return same ? null : next;
}

/** "2 seed files not read: empty.txt (FM_SEED_EMPTY: …), …", or the folder's own problem. */
function describeProblems(problems: InputProblem[]): string {
  const folder = problems.find((p) => p.code === 'FM_SEED_FOLDER');
  if (folder) return `${folder.target}: ${folder.message}`;
  const listed = problems.slice(0, LISTED_FILES).map((p) => `${baseName(p.target)} (${p.code})`);
  const more = problems.length > LISTED_FILES ? `, and ${problems.length - LISTED_FILES} more` : '';
  return `${plural(problems.length, 'seed file')} not read: ${listed.join(', ')}${more}`;
}

function baseName(target: string): string {
  return target.slice(target.lastIndexOf('/') + 1);
}
