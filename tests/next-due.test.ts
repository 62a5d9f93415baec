/**
 * When a fleet worker hands a harvested source back to the queue (src/pipeline/harvest-claim.ts):
 * the delay the database adds to its own clock as it completes the claim. Intervals and back-offs
 * run from the completion, so a slow harvest never brings the next request closer than the
 * interval; a cron schedule's tick stays a time of day. The states are made by the pipeline's own
 * functions (backoff.ts), so these are the times a real harvest would carry.
 */
import { describe, expect, it } from 'vitest';
import { nextAttemptAfterFailure, nextAttemptAfterSuccess } from '../src/pipeline/backoff.js';
import { nextDueInSeconds, nextDueOfFeed } from '../src/pipeline/harvest-claim.js';
import type { FeedHarvest } from '../src/pipeline/harvest-feed.js';
import { emptySourceState } from '../src/model/source-state.js';
import { FetchError } from '../src/sources/http/fetch-errors.js';

const config = { schedule: { cron: '*/15 * * * *', timezone: 'UTC' } };
const started = new Date('2026-12-02T10:00:00.000Z');
const after = (ms: number) => new Date(started.getTime() + ms);

type Harvested = Pick<FeedHarvest, 'state' | 'error'>;

function succeeded(source: { interval?: string | number; schedule?: string }): Harvested {
  return { state: { ...emptySourceState('s'), nextFetchAt: nextAttemptAfterSuccess(source, started, 'UTC') }, error: null };
}

function failed(failures: number, retryAfterMs?: number): Harvested {
  return { state: { ...emptySourceState('s'), failures, nextFetchAt: nextAttemptAfterFailure(failures, started, retryAfterMs) }, error: new FetchError('FM_HTTP_STATUS', 'HTTP 503', { status: 503 }) };
}

describe('a claimed feed is due again', () => {
  const cases: { name: string; source: { interval?: string | number; schedule?: string }; harvest: Harvested; seconds: number }[] = [
    { name: 'interval "2s"', source: { interval: '2s' }, harvest: succeeded({ interval: '2s' }), seconds: 2 },
    { name: 'interval 3600 (seconds)', source: { interval: 3600 }, harvest: succeeded({ interval: 3600 }), seconds: 3600 },
    { name: 'interval "30m"', source: { interval: '30m' }, harvest: succeeded({ interval: '30m' }), seconds: 1800 },
    { name: 'first failure: 1 min back-off', source: { interval: '2s' }, harvest: failed(1), seconds: 60 },
    { name: 'third failure: 4 min back-off', source: {}, harvest: failed(3), seconds: 240 },
    { name: 'a longer Retry-After', source: { interval: '2s' }, harvest: failed(1, 600_000), seconds: 600 },
    { name: 'a failure of a source on a cron schedule: its back-off', source: { schedule: '0 * * * *' }, harvest: failed(2), seconds: 120 },
  ];
  for (const { name, source, harvest, seconds } of cases) {
    it(`${name}: ${seconds} s after the completion, however long the harvest took`, () => {
      const due = nextDueOfFeed(source, harvest, started);
      for (const tookMs of [0, 1_500, 2_500, 90_000]) expect(nextDueInSeconds(config, due, after(tookMs))).toBe(seconds);
    });
  }

  it('a cron schedule after a success: at its next tick, a time of day, less the time the harvest took', () => {
    const due = nextDueOfFeed({ schedule: '0 * * * *' }, succeeded({ schedule: '0 * * * *' }), started);
    expect(due).toEqual({ at: '2026-12-02T11:00:00.000Z' });
    expect(nextDueInSeconds(config, due, after(0))).toBe(3600);
    expect(nextDueInSeconds(config, due, after(1_500))).toBe(3598.5);
  });

  it('without interval or schedule: at schedule.cron\'s next tick from the completion (a fleet has no runs of its own)', () => {
    const due = nextDueOfFeed({}, succeeded({}), started);
    expect(due).toBeNull();
    expect(nextDueInSeconds(config, due, after(0))).toBe(900);
    expect(nextDueInSeconds(config, due, after(60_000))).toBe(840);
  });

  it('never a negative delay', () => {
    expect(nextDueInSeconds(config, { at: '2026-12-02T09:00:00.000Z' }, started)).toBe(0);
    expect(nextDueOfFeed({}, { state: { ...emptySourceState('s'), nextFetchAt: '2026-12-02T09:59:00.000Z' }, error: null }, started)).toEqual({ afterSeconds: 0 });
  });
});
