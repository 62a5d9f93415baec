import type { ErrorCode } from './errors.js';

/** One thing that went wrong with one input; the run records it and goes on. */
export interface InputProblem {
  sourceId: string;
  /** The file path or URL the problem is about. */
  target: string;
  /** Stable machine-readable code, e.g. FM_SEED_NOT_UTF8. */
  code: ErrorCode;
  message: string;
}
