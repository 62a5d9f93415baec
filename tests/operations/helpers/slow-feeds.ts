/**
 * Fixture-server handlers that hold a fetch open until the test says so, so that two runs
 * overlap (the lock tests) or a shutdown lands in the middle of a fetch (the daemon tests)
 * without any test relying on how fast the machine is.
 */
import type { Handler } from '../../remote/helpers/fixture-server.js';

export interface HeldFeed {
  handler: Handler;
  /** Resolves when the first request has arrived (its headers are sent, the body is held). */
  arrived: Promise<void>;
  /** Requests received so far. */
  count(): number;
  /** Sends the held bodies, and answers later requests at once. */
  release(): void;
}

/** Headers go out at once (so no headers timeout fires); the body waits for release(). */
export function heldFeed(body: string): HeldFeed {
  let count = 0;
  let arrive!: () => void;
  const arrived = new Promise<void>((resolve) => (arrive = resolve));
  let open!: () => void;
  const released = new Promise<void>((resolve) => (open = resolve));
  return {
    handler: async (_request, response) => {
      count++;
      response.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' });
      response.flushHeaders();
      arrive();
      await released;
      response.end(body);
    },
    arrived,
    count: () => count,
    release: () => open(),
  };
}

export interface StalledFeed {
  handler: Handler;
  /** Resolves when a request has arrived and its headers and first bytes were sent. */
  arrived: Promise<void>;
  /** Resolves when the client closed the connection before the body ended (it gave up). */
  abandoned: Promise<void>;
}

/** Sends the headers and the start of a feed, then nothing more until the client hangs up. */
export function stalledFeed(head: string): StalledFeed {
  let arrive!: () => void;
  const arrived = new Promise<void>((resolve) => (arrive = resolve));
  let abandon!: () => void;
  const abandoned = new Promise<void>((resolve) => (abandon = resolve));
  return {
    handler: (request, response) => {
      response.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' });
      response.write(head);
      request.socket.once('close', () => abandon());
      arrive();
    },
    arrived,
    abandoned,
  };
}
