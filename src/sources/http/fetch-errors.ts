import { FeedmirrorError, type StageCode } from '../../model/errors.js';

/** A fetch that failed, with one of the `fetch` codes of ERROR_CODES; `status` shows it and tests match on it. */
export class FetchError extends FeedmirrorError {
  constructor(
    override readonly code: StageCode<'fetch'>,
    message: string,
    readonly details: { status?: number; retryAfterMs?: number } = {},
  ) {
    super(code, message);
  }
}

/**
 * Maps what undici, the DNS resolver, TLS and zlib throw to one code and one human reason. Ours
 * (the address policy refusing what DNS answered) may come back wrapped by undici, as the cause.
 */
export function classifyFetchError(error: unknown): FetchError {
  if (error instanceof FetchError) return error;
  const e = error as { code?: string; name?: string; message?: string; cause?: unknown };
  if (e.cause instanceof FetchError) return e.cause;
  const code = e.code ?? (e.cause as { code?: string } | undefined)?.code ?? '';
  const message = e.message ?? String(error);
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
