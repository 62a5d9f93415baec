/**
 * Waits for `work` after a shutdown began: past `graceMs` the in-flight fetches are aborted
 * (through `abort`), so a stalled server cannot hold the stop up.
 */
export async function finishWithin(work: Promise<unknown> | null, abort: AbortController, graceMs: number): Promise<void> {
  const grace = setTimeout(() => abort.abort(new DOMException('shutting down', 'AbortError')), graceMs);
  grace.unref();
  try {
    await work;
  } finally {
    clearTimeout(grace);
  }
}
