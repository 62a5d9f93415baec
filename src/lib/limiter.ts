/** Runs at most `limit` tasks at once; the rest wait in order. */
export function createLimiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    active--;
    waiting.shift()?.();
  };
  return async (task) => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      release();
    }
  };
}

/** One limiter per key (a host), created on first use. */
export function createKeyedLimiter(limit: number): <T>(key: string, task: () => Promise<T>) => Promise<T> {
  const limiters = new Map<string, ReturnType<typeof createLimiter>>();
  return (key, task) => {
    let limiter = limiters.get(key);
    if (!limiter) limiters.set(key, (limiter = createLimiter(limit)));
    return limiter(task);
  };
}
