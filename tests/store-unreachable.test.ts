/**
 * Which failures a fleet worker waits out as "the database is out of reach", and which failures
 * of one output end a claimed publish for every output (src/pipeline/output-failure.ts), with the
 * errors postgres.js, Node and the S3 target actually give.
 */
import { describe, expect, it } from 'vitest';
import { isStoreUnreachable, unreachableText } from '../src/store/store-unreachable.js';
import { OutputFailure, outputsFailure, stopsEveryOutput } from '../src/pipeline/output-failure.js';
import { FeedmirrorError } from '../src/model/errors.js';
import { S3WriteError } from '../src/publish/s3-errors.js';
import type { PublishTarget } from '../src/publish/publish-target.js';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isStoreUnreachable', () => {
  const unreachable: [string, unknown][] = [
    ['connect ECONNREFUSED', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['a reset connection', withCode('read ECONNRESET', 'ECONNRESET')],
    ["postgres.js's closed connection", withCode('write CONNECTION_CLOSED 127.0.0.1:5432', 'CONNECTION_CLOSED')],
    ["postgres.js's connect timeout", withCode('write CONNECT_TIMEOUT 127.0.0.1:5432', 'CONNECT_TIMEOUT')],
    ['an unknown host', withCode('getaddrinfo ENOTFOUND db.internal', 'ENOTFOUND')],
    ['the server shutting down (57P01)', withCode('terminating connection due to administrator command', '57P01')],
    ['the server starting up (57P03)', withCode('the database system is starting up', '57P03')],
    ['a connection exception (08006)', withCode('connection failure', '08006')],
    ['too many connections (53300)', withCode('sorry, too many clients already', '53300')],
    ['every address refused (AggregateError)', new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED'), withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')], 'connect failed')],
    ['wrapped as the cause of a store error', new FeedmirrorError('FM_STORE', 'store: cannot open …', { cause: withCode('connect ECONNREFUSED', 'ECONNREFUSED') })],
  ];
  for (const [name, error] of unreachable) it(`yes: ${name}`, () => expect(isStoreUnreachable(error)).toBe(true));

  const reachable: [string, unknown][] = [
    ['a syntax error (42601)', withCode('syntax error at or near "SELEC"', '42601')],
    ['a unique violation (23505)', withCode('duplicate key value', '23505')],
    ['a serialization failure (40001)', withCode('could not serialize access', '40001')],
    ['an error without a code', new Error('something else')],
    ['not an error at all', 'ECONNREFUSED'],
    ['null', null],
  ];
  for (const [name, error] of reachable) it(`no: ${name}`, () => expect(isStoreUnreachable(error)).toBe(false));

  it('a cause chain that loops ends', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(isStoreUnreachable(a)).toBe(false);
  });

  it('names the database without its password, in the URL and in a query parameter', () => {
    const error = withCode('connect ECONNREFUSED 10.0.0.5:5432', 'ECONNREFUSED');
    expect(unreachableText('postgres://feeds:s3cr3t@db:5432/feeds', error)).toBe('the database postgres://feeds:***@db:5432/feeds cannot be reached (connect ECONNREFUSED 10.0.0.5:5432)');
    expect(unreachableText('postgresql://db/feeds?user=f&password=s3cr3t', error)).not.toContain('s3cr3t');
  });
});

describe('a claimed publish: one output failing, or all', () => {
  const bucket = { name: 's3://feeds/site' } as PublishTarget;
  const folder = { name: '/srv/feeds' } as PublishTarget;
  const denied = new S3WriteError('s3://feeds/site/all/rss.xml', 's3: cannot PUT s3://feeds/site/all/rss.xml at http://127.0.0.1:9000: AccessDenied (HTTP 403)', false);
  const noBucket = new S3WriteError('s3://feeds/site/index.html', 's3: cannot PUT s3://feeds/site/index.html at http://127.0.0.1:9000: NoSuchBucket (HTTP 404)', true);

  it('a key refused fails that output only; no bucket, the store out of reach or a shutdown stops every output', () => {
    expect(stopsEveryOutput(new FeedmirrorError('FM_S3', 'publish to s3://feeds/site: …', { cause: denied }))).toBe(false);
    expect(stopsEveryOutput(withCode('ENOTDIR: not a directory', 'ENOTDIR'))).toBe(false);
    expect(stopsEveryOutput(new FeedmirrorError('FM_S3', 'publish to s3://feeds/site: …', { cause: noBucket }))).toBe(true);
    expect(stopsEveryOutput(withCode('write CONNECTION_CLOSED 127.0.0.1:5432', 'CONNECTION_CLOSED'))).toBe(true);
    expect(stopsEveryOutput(new DOMException('shutting down', 'AbortError'))).toBe(true);
  });

  it('names the output and the target once, keeping FM_S3 for the bucket and FM_PUBLISH for a folder', () => {
    const s3 = new OutputFailure('all', bucket, new FeedmirrorError('FM_S3', `publish to s3://feeds/site: 1 file could not be written (3 written): ${denied.message}`, { cause: denied }));
    expect(s3).toMatchObject({ code: 'FM_S3', output: 'all', message: `output all: publish to s3://feeds/site: 1 file could not be written (3 written): ${denied.message}` });
    const disk = new OutputFailure('recent', folder, new Error("EACCES: permission denied, open '/srv/feeds/recent/rss.xml'"));
    expect(disk).toMatchObject({ code: 'FM_PUBLISH', message: "output recent: publish to /srv/feeds: EACCES: permission denied, open '/srv/feeds/recent/rss.xml'" });
    expect(outputsFailure([s3])).toBe(s3);
    const both = outputsFailure([s3, disk]);
    expect(both.code).toBe('FM_S3');
    expect(both.message).toBe(`2 outputs could not be published (the others were): ${s3.message}; ${disk.message}`);
    const many = outputsFailure(['a', 'b', 'c', 'd', 'e'].map((id) => new OutputFailure(id, folder, new Error('EROFS'))));
    expect(many.message).toMatch(/^5 outputs could not be published \(the others were\): output a: .*output c: publish to \/srv\/feeds: EROFS; and 2 more$/);
  });
});
