import type { S3Settings } from '../config/s3-schema.js';
import { FeedmirrorError } from '../model/errors.js';
import { S3_DEFAULTS } from '../config/s3-schema.js';
import { isS3Url, parseS3Url, s3Name, type S3Location } from '../lib/s3-url.js';
import { s3CredentialsFrom } from '../lib/s3-credentials.js';
import { folderTarget } from '../publish/folder-target.js';
import { makeFolders } from '../lib/make-folders.js';
import type { PublishTarget } from '../publish/publish-target.js';
import { s3Target, type S3Connection } from '../publish/s3-target.js';
import type { PublishedFileStore } from '../store/store.js';

/** What opening an s3:// target takes besides the outputDir. */
export interface TargetAccess {
  /** The config's `s3` block. */
  s3?: S3Settings | undefined;
  /** Where the credentials are read from (AWS_ACCESS_KEY_ID…): the process's environment. */
  env: Record<string, string | undefined>;
  /** `run --refresh`: no recorded hash is trusted, every file is written again. */
  refresh: boolean;
}

export interface OpenTarget {
  target: PublishTarget;
  /** Records what the target wrote (the sha256 of each file PUT) for the next publish, and closes its connections. */
  finish(): Promise<void>;
}

/**
 * The output folder, made first (an outputDir that cannot be made is named as such, whichever file
 * a publish would write first), or the bucket of an s3:// outputDir with the hashes the store keeps for it.
 */
export async function openTarget(outputDir: string, access: TargetAccess, store: PublishedFileStore): Promise<OpenTarget> {
  if (!isS3Url(outputDir)) {
    await makeFolders(outputDir, { code: 'FM_PUBLISH', label: 'outputDir' });
    return { target: folderTarget(outputDir), finish: async () => {} };
  }
  const location = parseS3Url(outputDir);
  // The config's schema refused any other outputDir.
  if ('problem' in location) throw new FeedmirrorError('FM_CONFIG', `outputDir ${outputDir}: ${location.problem}`);
  const connection: S3Connection = { ...S3_DEFAULTS, ...access.s3 };
  const credentials = s3CredentialsFrom(access.env, outputDir);
  const key = storeKey(location, connection);
  const previous = access.refresh ? new Map<string, string>() : await store.getPublishedFiles(key);
  const target = s3Target({ location, connection, credentials, previous });
  return {
    target,
    async finish() {
      try {
        await store.savePublishedFiles(key, target.written);
      } finally {
        target.close();
      }
    },
  };
}

/**
 * Hashes are kept per bucket and prefix at one service: the same bucket name at another endpoint
 * (a move from MinIO to AWS) holds none of the files yet.
 */
function storeKey(location: S3Location, connection: S3Connection): string {
  return `${s3Name(location)} at ${connection.endpoint ?? `aws:${connection.region}`}`;
}
