/**
 * Where crash-safety's kills are aimed (tests/hostile/crash-safety.test.ts): a run goes through
 * start-up, fetch, store and publish, and a kill is worth most in the three that do work. Each
 * phase gets the same number of kills, each timed from an event the test sees happen in the run
 * it kills (its first request to the fixture server, its last "source-done" log line, its first
 * temp file in the output folder), so that a slow start on a loaded machine does not push the
 * kills out of the phase they aim at.
 */

/** The phases in the order a run goes through them. */
export const PHASES = ['startup', 'fetch', 'store', 'publish'] as const;
export type Phase = (typeof PHASES)[number];
/** The phases kills are aimed at (a kill in start-up interrupts nothing that writes). */
export type AimedPhase = Exclude<Phase, 'startup'>;
export const AIMED_PHASES: readonly AimedPhase[] = ['fetch', 'store', 'publish'];

/** What a kill is timed from: the run's first request to the fixture server, its last "source-done" line, its first temp file. */
export type Anchor = 'first-request' | 'sources-done' | 'publish-start';

/** Offsets from the phase's anchor, ms: where kills aimed at it are drawn. */
export interface PhaseWindow {
  anchor: Anchor;
  fromMs: number;
  toMs: number;
}

/** When a typical (unkilled) run reached each point, ms since the epoch. */
export interface RunTimeline {
  firstRequestAt: number;
  sourcesDoneAt: number;
  /** The first temp file of the publish (each file is staged as a temp file, then renamed). */
  publishStartAt: number;
  endedAt: number;
}

/** Kills are never aimed at a window narrower than this, ms: the kill itself takes about as long to land. */
const MIN_WINDOW_MS = 10;

/** The three windows a typical run shows: fetch up to its last source, then store, then publish. */
export function windowsOf(run: RunTimeline): Record<AimedPhase, PhaseWindow> {
  const window = (anchor: Anchor, from: number, to: number): PhaseWindow => ({ anchor, fromMs: 0, toMs: Math.max(MIN_WINDOW_MS, Math.round(to - from)) });
  return {
    fetch: window('first-request', run.firstRequestAt, run.sourcesDoneAt),
    store: window('sources-done', run.sourcesDoneAt, run.publishStartAt),
    publish: window('publish-start', run.publishStartAt, run.endedAt),
  };
}

/** The offset `u` ∈ [0, 1) of the way through `window`. */
export function offsetIn(window: PhaseWindow, u: number): number {
  return Math.floor(window.fromMs + u * (window.toMs - window.fromMs));
}

/**
 * Narrows a phase's window after a kill aimed at it landed elsewhere: the runs here are slower or
 * faster than the typical one, so the next kill aimed at that phase is drawn on the right side of
 * this one. A run that finished first counts as landing late.
 */
export function narrowWindow(window: PhaseWindow, aimed: AimedPhase, landed: Phase | 'finished', offsetMs: number): PhaseWindow {
  const order = (p: Phase | 'finished') => (p === 'finished' ? PHASES.length : PHASES.indexOf(p));
  if (order(landed) < order(aimed)) {
    const fromMs = Math.min(offsetMs, window.toMs);
    return { ...window, fromMs, toMs: Math.max(window.toMs, fromMs + MIN_WINDOW_MS) };
  }
  if (order(landed) > order(aimed)) {
    const toMs = Math.max(offsetMs, window.fromMs + MIN_WINDOW_MS);
    return { ...window, fromMs: Math.min(window.fromMs, toMs - MIN_WINDOW_MS), toMs };
  }
  return window;
}

/**
 * `perPhase` kills for each aimed phase, stratified (the i-th kill of a phase falls in the i-th
 * slice of its window, as a fraction `u` of it) and shuffled, all from `random`.
 */
export function planKills(perPhase: number, random: () => number): { phase: AimedPhase; u: number }[] {
  const plan = AIMED_PHASES.flatMap((phase) => Array.from({ length: perPhase }, (_, i) => ({ phase, u: (i + random()) / perPhase })));
  for (let i = plan.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [plan[i], plan[j]] = [plan[j]!, plan[i]!];
  }
  return plan;
}
