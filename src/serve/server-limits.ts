import http from 'node:http';

/**
 * What one client may take of the server. The requests served are GETs of static files with no
 * body, so a few seconds for the headers is generous; a client that needs longer is holding a
 * connection open on purpose (slowloris).
 */
export interface ServerLimits {
  /** ms from the first byte of a request to the end of its headers; then 408 and close */
  headersTimeoutMs: number;
  /** ms for the whole request (headers and any body); then 408 and close */
  requestTimeoutMs: number;
  /** ms an idle keep-alive connection is kept between requests */
  keepAliveTimeoutMs: number;
  /** ms without a byte moving either way (a client that stops reading a response); then close */
  idleTimeoutMs: number;
  /** ms between Node's checks of the two request deadlines above (they are enforced to this precision) */
  checkIntervalMs: number;
  /** bytes of request line and headers together; more gets 431 */
  maxHeaderBytes: number;
  /** header lines read per request; the rest are ignored */
  maxHeadersCount: number;
  /** open connections at once; more are closed as they arrive (leaves file descriptors for --schedule) */
  maxConnections: number;
}

export const SERVER_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 60_000,
  checkIntervalMs: 1_000,
  maxHeaderBytes: 16_384,
  maxHeadersCount: 100,
  maxConnections: 512,
};

/** An HTTP server with `limits` applied (the two that Node only takes at creation among them). */
export function createLimitedServer(limits: ServerLimits, listener: http.RequestListener): http.Server {
  const server = http.createServer({ maxHeaderSize: limits.maxHeaderBytes, connectionsCheckingInterval: limits.checkIntervalMs }, listener);
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxHeadersCount = limits.maxHeadersCount;
  server.maxConnections = limits.maxConnections;
  server.setTimeout(limits.idleTimeoutMs); // with no 'timeout' listener, Node destroys the socket
  return server;
}
