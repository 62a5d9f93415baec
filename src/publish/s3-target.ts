import { createHash } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { toBytes } from '../lib/atomic-write.js';
import { cacheControlFor, contentTypeFor } from '../lib/content-types.js';
import { objectKey, s3Name, type S3Location } from '../lib/s3-url.js';
import type { S3Credentials } from '../lib/s3-credentials.js';
import type { PublishTarget } from './publish-target.js';
import { s3WriteError } from './s3-errors.js';

/** The `s3` config block, as the publish stage needs it. */
export interface S3Connection {
  /** Absent: AWS S3 itself. */
  endpoint?: string | undefined;
  region: string;
  forcePathStyle: boolean;
}

export interface S3TargetOptions {
  location: S3Location;
  connection: S3Connection;
  credentials: S3Credentials;
  /** path → sha256 of each file the store says was last PUT there. */
  previous: Map<string, string>;
}

export interface S3Target extends PublishTarget {
  /** path → sha256 of each file this target PUT: what the store keeps for the next publish. */
  readonly written: Map<string, string>;
  close(): void;
}

const CONNECT_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 60_000;

/**
 * The files as objects in a bucket, one PUT each. A file whose bytes hash to what the store
 * recorded for its path is not PUT again; nothing else (no HEAD, no conditional write, which
 * S3-compatible servers do not all honour) is asked of the service.
 */
export function s3Target(options: S3TargetOptions): S3Target {
  const { location, connection, previous } = options;
  // The SDK is large: loaded at the first PUT, so a run that changed nothing never loads it.
  let sdk: Promise<{ client: S3Client; PutObjectCommand: typeof import('@aws-sdk/client-s3').PutObjectCommand }> | null = null;
  let client: S3Client | null = null;
  const connect = () =>
    (sdk ??= import('@aws-sdk/client-s3').then((module) => {
      client = s3Client(module.S3Client, connection, options.credentials);
      return { client, PutObjectCommand: module.PutObjectCommand };
    }));
  const endpoint = connection.endpoint ?? `AWS S3 (${connection.region})`;
  const written = new Map<string, string>();
  const known = (relative: string) => written.get(relative) ?? previous.get(relative) ?? null;
  return {
    name: s3Name(location),
    isAtomic: false,
    knowsEveryFile: true,
    written,
    async prepare() {},
    exists: async (relative) => known(relative) !== null,
    stamp: async (relative) => known(relative),
    async stage(relative, content) {
      const bytes = toBytes(content);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      if (known(relative) === sha256) return null;
      const put = { Bucket: location.bucket, Key: objectKey(location, relative), Body: bytes, ContentType: contentTypeFor(relative), CacheControl: cacheControlFor(relative) };
      return {
        relative,
        async commit() {
          const { client, PutObjectCommand } = await connect();
          await client.send(new PutObjectCommand(put)).catch((error: unknown) => {
            throw s3WriteError(s3Name(location, relative), endpoint, error);
          });
          written.set(relative, sha256);
        },
        async discard() {},
      };
    },
    close: () => client?.destroy(),
  };
}

/**
 * Everything the SDK would otherwise look up is given: the credentials (its default chain may ask
 * the EC2 metadata service), the region, and the defaults mode ("auto" asks that service too).
 * Checksums only where S3 requires them: with the SDK's default, a body goes out with aws-chunked
 * framing that some S3-compatible servers store inside the object.
 */
function s3Client(Client: typeof S3Client, connection: S3Connection, credentials: S3Credentials): S3Client {
  return new Client({
    ...(connection.endpoint ? { endpoint: connection.endpoint } : {}),
    region: connection.region,
    forcePathStyle: connection.forcePathStyle,
    credentials,
    defaultsMode: 'standard',
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
  });
}
