import { FeedmirrorError } from '../model/errors.js';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export const S3_CREDENTIAL_VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;

/**
 * The credentials of an s3:// outputDir, from the standard AWS environment variables only. The
 * SDK's own default chain is never used: it reads profiles and, on EC2, asks the instance
 * metadata service at 169.254.169.254, so a missing variable would become a slow, surprising
 * network call instead of this error.
 */
export function s3CredentialsFrom(env: Record<string, string | undefined>, target: string): S3Credentials {
  const missing = S3_CREDENTIAL_VARIABLES.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new FeedmirrorError('FM_CONFIG', `outputDir ${target}: ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not set; an S3 target takes its credentials only from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and (for temporary credentials) AWS_SESSION_TOKEN`);
  }
  const token = env.AWS_SESSION_TOKEN;
  return { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY!, ...(token ? { sessionToken: token } : {}) };
}
