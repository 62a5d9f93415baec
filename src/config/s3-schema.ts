import { z } from 'zod';
import { isS3Url, parseS3Url } from '../lib/s3-url.js';

export const S3_DEFAULTS = { region: 'us-east-1', forcePathStyle: false };

/**
 * `s3`: how to reach the bucket of an `outputDir: "s3://bucket/prefix"`. Credentials are never
 * here: they come only from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN), so a
 * config file can be shared and committed.
 */
export const s3Schema = z
  .strictObject({
    /** An S3-compatible service (MinIO, Ceph, R2…); absent: AWS S3 itself (s3.<region>.amazonaws.com). */
    endpoint: z
      .url({ protocol: /^https?$/, error: 'an http(s) URL of an S3-compatible service, such as "http://127.0.0.1:9000"' })
      .refine((value) => !/^[a-z]+:\/\/[^/]*@/i.test(value), 'an http(s) URL without user or password: credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY')
      .optional(),
    region: z.string().regex(/^[a-z0-9-]{1,64}$/, 'a region name such as "us-east-1"').default(S3_DEFAULTS.region),
    /** Bucket in the path (http://host/bucket/key), as MinIO and most S3-compatibles need, not in the host name. */
    forcePathStyle: z.boolean().default(S3_DEFAULTS.forcePathStyle),
  })
  .optional();

export type S3Settings = z.output<NonNullable<typeof s3Schema>>;

/** `outputDir`: a folder, or an s3:// URL that names a bucket and a safe prefix. */
export const outputDirSchema = z
  .string()
  .min(1)
  .superRefine((value, ctx) => {
    if (!isS3Url(value)) return;
    const parsed = parseS3Url(value);
    if ('problem' in parsed) ctx.addIssue({ code: 'custom', message: `an s3:// URL as "s3://bucket/prefix": ${parsed.problem}` });
  })
  .default('feeds');

interface S3Checked {
  outputDir?: unknown;
  sources: object[];
  outputs: object[];
}

/**
 * What an s3:// output cannot do: `media: "proxy"` links media to /media/<hash>, which only
 * `feedmirror serve` answers, and serve reads a folder.
 */
export function checkS3Target(config: S3Checked, ctx: z.RefinementCtx): void {
  if (typeof config.outputDir !== 'string' || !isS3Url(config.outputDir)) return;
  const proxied = (list: object[], key: string) =>
    list.forEach((entry, i) => {
      if (typeof entry === 'object' && entry !== null && 'media' in entry && entry.media === 'proxy') ctx.addIssue({ code: 'custom', path: [key, i, 'media'], message: `"proxy" needs \`feedmirror serve\` to answer /media/, and serve reads a folder, not ${config.outputDir as string}: use "mirror", or a folder outputDir` });
    });
  proxied(config.sources, 'sources');
  proxied(config.outputs, 'outputs');
}
