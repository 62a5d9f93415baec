/** `outputDir: "s3://bucket/prefix"`: where the S3 target writes, as the config names it. */
export interface S3Location {
  bucket: string;
  /** The key prefix without slashes at either end; '' for the bucket's root. */
  prefix: string;
}

const SCHEME = 's3://';

/** S3's bucket naming rules: 3 to 63 lowercase letters, digits, dots and hyphens, a letter or digit at each end. */
const BUCKET = /^[a-z0-9](?:[a-z0-9.-]{1,61})[a-z0-9]$/;
const IP_ADDRESS = /^\d+\.\d+\.\d+\.\d+$/;
/** Letters, digits and the punctuation S3 calls safe for keys (no control characters, no backslash, no "?" or "#"). */
const KEY_SEGMENT = /^[A-Za-z0-9!_.*'()-]+$/;
const MAX_PREFIX = 512; // bytes: leaves room below S3's 1,024-byte key limit for the published paths

export function isS3Url(value: string): boolean {
  return value.toLowerCase().startsWith(SCHEME);
}

/** The bucket and prefix of an s3:// URL, or why it cannot be one (a message for the config error). */
export function parseS3Url(value: string): S3Location | { problem: string } {
  const rest = value.slice(SCHEME.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const prefix = slash === -1 ? '' : rest.slice(slash + 1).replace(/\/+$/, '');
  if (!value.startsWith(SCHEME)) return { problem: 'write the scheme as "s3://" in lowercase' };
  if (!BUCKET.test(bucket) || bucket.includes('..') || IP_ADDRESS.test(bucket)) {
    return { problem: 'the bucket name must be 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit' };
  }
  if (prefix === '') return { bucket, prefix };
  const segments = prefix.split('/');
  if (segments.some((s) => s === '.' || s === '..' || !KEY_SEGMENT.test(s)) || Buffer.byteLength(prefix) > MAX_PREFIX) {
    return { problem: `the prefix must be folder names of letters, digits and !_.*'()- separated by single "/" (no "." or ".." folder, at most ${MAX_PREFIX} bytes)` };
  }
  return { bucket, prefix };
}

/** The object key of a published file: the prefix, then its path in the output tree. */
export function objectKey(location: S3Location, relative: string): string {
  return location.prefix === '' ? relative : `${location.prefix}/${relative}`;
}

/** How messages name a target or an object: "s3://bucket/prefix" or "s3://bucket/prefix/all/rss.xml". */
export function s3Name(location: S3Location, relative = ''): string {
  const key = relative === '' ? location.prefix : objectKey(location, relative);
  return `${SCHEME}${location.bucket}${key === '' ? '' : `/${key}`}`;
}
