import type { Config } from '../config/config.js';
import { S3_DEFAULTS } from '../config/s3-schema.js';
import { isS3Url } from '../lib/s3-url.js';
import { s3CredentialsFrom, S3_CREDENTIAL_VARIABLES } from '../lib/s3-credentials.js';
import { CliError, EXIT } from './exit-codes.js';

/** What stands in the way of writing to an s3:// outputDir before any work is done (no network): its credentials. */
export function targetProblems(config: Config, env: Record<string, string | undefined>): string[] {
  if (!isS3Url(config.outputDir)) return [];
  try {
    s3CredentialsFrom(env, config.outputDir);
    return [];
  } catch (error) {
    return [(error as Error).message];
  }
}

/** `run` and `daemon` stop at start-up, not after a run's fetches, when the target cannot be written. */
export function requireTarget(config: Config, env: Record<string, string | undefined>): void {
  const [problem] = targetProblems(config, env);
  if (problem) throw new CliError('FM_CONFIG', `config: ${config.configPath}: ${problem}`, EXIT.USAGE);
}

/** `serve` hands out the files of a folder; an s3:// outputDir is served by the bucket's own HTTP endpoint or a CDN. */
export function refuseS3Serve(config: Config): void {
  if (!isS3Url(config.outputDir)) return;
  throw new CliError(
    'FM_USAGE',
    `serve: outputDir is ${config.outputDir}: serve reads a folder and cannot serve a bucket; serve the bucket through its website endpoint or a CDN, and use \`feedmirror daemon\` for the schedule (its /healthz and /metrics are serve's)`,
    EXIT.USAGE,
  );
}

/**
 * How `check` lists an S3 target: the bucket with its settings and which credentials are set (never
 * their values). Nothing is sent to the service: `check` needs no network for it.
 */
export function describeTarget(config: Config, env: Record<string, string | undefined>): string[] {
  if (!isS3Url(config.outputDir)) return [];
  const s3 = { ...S3_DEFAULTS, ...config.s3 };
  const set = [...S3_CREDENTIAL_VARIABLES, 'AWS_SESSION_TOKEN'].filter((name) => env[name]);
  return [
    `outputDir: ${config.outputDir} (S3: one PUT per changed file; \`serve\` and the media proxy do not apply)`,
    `s3: endpoint ${s3.endpoint ?? `AWS S3 (s3.${s3.region}.amazonaws.com)`}, region ${s3.region}, ${s3.forcePathStyle ? 'path-style' : 'virtual-host-style'} addressing`,
    `s3 credentials from the environment: ${set.length > 0 ? set.join(', ') : 'none'}`,
  ];
}
