import { FeedmirrorError } from '../model/errors.js';
import type { PublishTarget } from '../publish/publish-target.js';
import { S3WriteError } from '../publish/s3-errors.js';
import { isStoreUnreachable } from '../store/store-unreachable.js';

/** Shown in the error of a publish where several outputs failed: enough to see the pattern. */
const NAMED = 3;

/** One output of a claimed publish could not be written: named with the target and what the target said. */
export class OutputFailure extends FeedmirrorError {
  constructor(
    readonly output: string,
    target: PublishTarget,
    error: unknown,
  ) {
    const message = (error as Error).message;
    // publishFailure's message names the target already; a bare error (a folder's) does not.
    const named = message.startsWith(`publish to ${target.name}`) ? message : `publish to ${target.name}: ${message}`;
    super(error instanceof FeedmirrorError && error.code === 'FM_S3' ? 'FM_S3' : 'FM_PUBLISH', `output ${output}: ${named}`, { cause: error });
  }
}

/**
 * A failure no other output can escape: the store out of reach, a target that takes no key (no
 * bucket, no connection, bad credentials), a shutdown. The publish stops there.
 */
export function stopsEveryOutput(error: unknown): boolean {
  if (isStoreUnreachable(error)) return true;
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    if (current.name === 'AbortError' || (current instanceof S3WriteError && current.isTargetWide)) return true;
  }
  return false;
}

/** What a publish where outputs failed ends with: each output named, with its target and error; the others were published. */
export function outputsFailure(failures: FeedmirrorError[]): FeedmirrorError {
  if (failures.length === 1) return failures[0]!;
  const code = failures.some((f) => f.code === 'FM_S3') ? 'FM_S3' : 'FM_PUBLISH';
  const more = failures.length > NAMED ? `; and ${failures.length - NAMED} more` : '';
  return new FeedmirrorError(code, `${failures.length} outputs could not be published (the others were): ${failures.slice(0, NAMED).map((f) => f.message).join('; ')}${more}`, { cause: failures[0] });
}
