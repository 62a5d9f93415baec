/**
 * Summary of a V8 .cpuprofile (node --cpu-prof): self time by function, inclusive time of
 * feedmirror's own functions, and self time by package / file.
 *
 *   node --import tsx bench/lib/cpu-profile.ts FILE.cpuprofile [--top 25]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface TimedEntry {
  name: string;
  ms: number;
  percent: number;
}

export interface ProfileSummary {
  totalMs: number;
  self: TimedEntry[];
  /** Inclusive time of feedmirror's own functions (dist/ or src/), each counted once per sample. */
  inclusive: TimedEntry[];
  byModule: TimedEntry[];
}

export function summarizeProfile(file: string, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const byModule = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000; // the delta *after* a sample is its duration
    const leaf = byId.get(profile.samples[i]!);
    if (!leaf) continue;
    total += delta;
    add(self, label(leaf.callFrame), delta);
    add(byModule, moduleOf(leaf.callFrame), delta);
    const seen = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      if (!isOwnCode(frame.url)) continue;
      const key = label(frame);
      if (seen.has(key)) continue;
      seen.add(key);
      add(inclusive, key, delta);
    }
  }
  const rank = (map: Map<string, number>) =>
    [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, ms]) => ({ name, ms: Math.round(ms), percent: Math.round((ms / total) * 1000) / 10 }));
  return { totalMs: Math.round(total), self: rank(self), inclusive: rank(inclusive), byModule: rank(byModule) };
}

function add(map: Map<string, number>, key: string, value: number) {
  map.set(key, (map.get(key) ?? 0) + value);
}

function isOwnCode(url: string): boolean {
  return /\/(dist|src)\//.test(url) && !url.includes('/node_modules/');
}

function shortUrl(url: string): string {
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) return url.slice(nm + '/node_modules/'.length);
  const own = url.search(/\/(dist|src)\//);
  if (own >= 0) return url.slice(own + 1);
  return url.replace(/^file:\/\//, '');
}

function label(frame: CallFrame): string {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  return `${name} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
}

function moduleOf(frame: CallFrame): string {
  const { url } = frame;
  if (!url) return frame.functionName || '(native)';
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return `npm:${rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  return shortUrl(url);
}

export function formatSummary(summary: ProfileSummary, title: string): string {
  const block = (heading: string, entries: TimedEntry[]) => [
    `  ${heading}`,
    ...entries.map((e) => `    ${String(e.ms).padStart(7)} ms ${e.percent.toFixed(1).padStart(5)}%  ${e.name}`),
  ];
  return [
    `${title}: ${summary.totalMs} ms sampled`,
    ...block('self time by function', summary.self),
    ...block('self time by module / file', summary.byModule),
    ...block('inclusive time, feedmirror functions', summary.inclusive),
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: cpu-profile.ts FILE.cpuprofile [--top N]');
  const topAt = process.argv.indexOf('--top');
  process.stdout.write(`${formatSummary(summarizeProfile(file, topAt > 0 ? Number(process.argv[topAt + 1]) : 25), file)}\n`);
}
