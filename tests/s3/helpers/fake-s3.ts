/**
 * An S3-compatible server for the S3 target's tests: s3rver 3.7.1 on 127.0.0.1, a random port,
 * its data in a temp folder, behind a handler of ours that logs every object PUT and can answer
 * chosen keys with 403 AccessDenied, as a bucket policy would. Objects are read back through the
 * SDK, as any client of the bucket would.
 */
import { createRequire } from 'node:module';
import http from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';

/** The credentials s3rver accepts. */
export const S3_ENV = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };

interface S3rverInstance {
  callback(): http.RequestListener;
  configureBuckets(): Promise<void>;
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;

export interface StoredObject {
  body: Buffer;
  contentType: string | undefined;
  cacheControl: string | undefined;
}

export interface FakeS3 {
  endpoint: string;
  port: number;
  /** "bucket/key" of every object PUT, in the order they arrived. */
  puts: string[];
  /** "bucket/key"s answered 403 AccessDenied instead of being stored. */
  denied: Set<string>;
  /** Every object under the prefix: key relative to the prefix → what was stored. */
  objects(bucket: string, prefix: string): Promise<Map<string, StoredObject>>;
  /** The objects under the prefix written out as a folder tree, for the validators of folder outputs. */
  download(bucket: string, prefix: string, folder: string): Promise<string[]>;
  close(): Promise<void>;
}

export async function startFakeS3(options: { buckets: string[]; port?: number }): Promise<FakeS3> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'feedmirror-s3rver-'));
  const s3rver = new S3rver({ directory: dir, silent: true, configureBuckets: options.buckets.map((name) => ({ name, configs: [] })) });
  await s3rver.configureBuckets();
  const handle = s3rver.callback();
  const puts: string[] = [];
  const denied = new Set<string>();
  const server = http.createServer((req, res) => {
    const object = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).slice(1);
    const isObject = object.includes('/');
    if (req.method === 'PUT' && isObject && denied.has(object)) return accessDenied(req, res, object);
    if (req.method === 'PUT' && isObject) puts.push(object);
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, defaultsMode: 'standard' });
  const objects = (bucket: string, prefix: string) => readObjects(client, bucket, prefix);
  return {
    endpoint,
    port,
    puts,
    denied,
    objects,
    async download(bucket, prefix, folder) {
      const found = await objects(bucket, prefix);
      for (const [relative, { body }] of found) {
        await mkdir(path.dirname(path.join(folder, relative)), { recursive: true });
        await writeFile(path.join(folder, relative), body);
      }
      return [...found.keys()].sort();
    },
    async close() {
      client.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function readObjects(client: S3Client, bucket: string, prefix: string): Promise<Map<string, StoredObject>> {
  const found = new Map<string, StoredObject>();
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/`, ContinuationToken: token }));
    for (const { Key } of page.Contents ?? []) {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key }));
      const body = Buffer.from(await object.Body!.transformToByteArray());
      found.set(Key!.slice(prefix.length + 1), { body, contentType: object.ContentType, cacheControl: object.CacheControl });
    }
    token = page.NextContinuationToken;
  } while (token);
  return found;
}

/** What S3 answers a PUT a bucket policy forbids; the body is drained first so the client sees the answer. */
function accessDenied(req: http.IncomingMessage, res: http.ServerResponse, object: string): void {
  req.resume();
  req.on('end', () => {
    res.writeHead(403, { 'Content-Type': 'application/xml' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message><Resource>/${object}</Resource></Error>`);
  });
}

export { closedPort } from '../../helpers/closed-port.js';
