import { FeedmirrorError } from '../model/errors.js';

/** What the service answers when no key of the target can be written: trying the next one is pointless. */
const TARGET_WIDE = new Set([
  'NoSuchBucket', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken', 'TokenRefreshRequired',
  'AllAccessDisabled', 'AccountProblem', 'PermanentRedirect', 'AuthorizationHeaderMalformed', 'InvalidBucketName',
]);

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  TimeoutError: 'timed out',
};

/** A write to an S3 target that failed: the object it was for, and whether any other write could fare better. */
export class S3WriteError extends FeedmirrorError {
  constructor(
    /** "s3://bucket/prefix/all/rss.xml" */
    readonly object: string,
    message: string,
    /** The bucket, the endpoint or the credentials are wrong: no key will do. */
    readonly isTargetWide: boolean,
    options?: ErrorOptions,
  ) {
    super('FM_S3', message, options);
  }
}

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  errors?: { code?: string }[];
  $metadata?: { httpStatusCode?: number };
}

/** The SDK's error for a PUT, said as what went wrong with which object at which endpoint. */
export function s3WriteError(object: string, endpoint: string, error: unknown): S3WriteError {
  const e = (typeof error === 'object' && error !== null ? error : {}) as SdkError;
  const network = e.code ?? e.errors?.[0]?.code ?? (e.name === 'TimeoutError' ? e.name : undefined);
  if (network && network in NETWORK_REASONS) {
    return new S3WriteError(object, `s3: cannot PUT ${object}: ${NETWORK_REASONS[network]} by ${endpoint} (${network})`, true, { cause: error });
  }
  const status = e.$metadata?.httpStatusCode;
  const name = e.name && e.name !== 'Error' ? e.name : `HTTP ${status ?? 'error'}`;
  const detail = e.message && e.message !== name && e.message !== 'UnknownError' ? `: ${e.message}` : '';
  return new S3WriteError(object, `s3: cannot PUT ${object} at ${endpoint}: ${name}${status ? ` (HTTP ${status})` : ''}${detail}`, TARGET_WIDE.has(e.name ?? ''), { cause: error });
}
