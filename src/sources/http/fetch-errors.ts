/** Stable codes for every way a fetch can fail; `status` shows them and tests match on them. */
export type FetchErrorCode =
  | 'FM_DNS' | 'FM_CONNECT' | 'FM_TLS' | 'FM_TIMEOUT' | 'FM_HTTP_STATUS' | 'FM_TOO_BIG' | 'FM_REDIRECT_LOOP'
  | 'FM_TOO_MANY_REDIRECTS' | 'FM_BAD_REDIRECT' | 'FM_BLOCKED_ADDRESS' | 'FM_BAD_URL' | 'FM_DECODE' | 'FM_ABORTED' | 'FM_NETWORK' | 'FM_PARSE' | 'FM_NOT_A_FEED';

export class FetchError extends Error {
  constructor(
    readonly code: FetchErrorCode,
    message: string,
    readonly details: { status?: number; retryAfterMs?: number } = {},
  ) {
    super(message);
  }
}

/** Maps what undici, the DNS resolver, TLS and zlib throw to one code and one human reason. */
export function classifyFetchError(error: unknown): FetchError {
  if (error instanceof FetchError) return error;
  const e = error as { code?: string; name?: string; message?: string; cause?: unknown };
  const code = e.code ?? (e.cause as { code?: string } | undefined)?.code ?? '';
  const message = e.message ?? String(error);
  if (code === 'FM_BLOCKED_ADDRESS') return new FetchError('FM_BLOCKED_ADDRESS', message);
  if (e.name === 'TimeoutError' || /TIMEOUT/.test(code)) return new FetchError('FM_TIMEOUT', timeoutReason(code));
  if (e.name === 'AbortError' || code === 'UND_ERR_ABORTED') return new FetchError('FM_ABORTED', 'the fetch was aborted (shutting down)');
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return new FetchError('FM_DNS', `DNS lookup failed (${code})`);
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'UND_ERR_SOCKET')
    return new FetchError('FM_CONNECT', `connection failed (${code})`);
  if (/^ERR_TLS|CERT|SSL|^DEPTH_ZERO|^UNABLE_TO/.test(code)) return new FetchError('FM_TLS', `TLS failed (${code})`);
  if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE' || code === 'ERR_BUFFER_TOO_LARGE') return new FetchError('FM_TOO_BIG', 'the body is larger than the size limit');
  if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR' || code === 'ERR__ERROR_FORMAT_PADDING_1') return new FetchError('FM_DECODE', `the compressed body is corrupt (${code})`);
  if (code === 'ERR_INVALID_URL') return new FetchError('FM_BAD_URL', 'invalid URL');
  return new FetchError('FM_NETWORK', `${message}${code ? ` (${code})` : ''}`);
}

function timeoutReason(code: string): string {
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return 'timed out connecting';
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return 'timed out waiting for response headers';
  if (code === 'UND_ERR_BODY_TIMEOUT') return 'timed out waiting for the body (no data)';
  return 'timed out before the whole body arrived';
}
