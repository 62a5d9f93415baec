/**
 * Seed files for the benchmark: variations of the sample seed (seeds/000_d7ec912073c84491.txt):
 * another headline, another date, a rotated and shortened body, other mirror hosts.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const SAMPLE_DATE = /December 15, 2016/g;

export function writeSeedFiles(sampleFile: string, folder: string, count: number): string[] {
  mkdirSync(folder, { recursive: true });
  const text = readFileSync(sampleFile, 'utf8').replace(/\r\n/g, '\n');
  const blocks = text.split(/\n\s*\n/).map((b) => b.trim()).filter(Boolean);
  const headline = blocks[0]!;
  const footerAt = blocks.findIndex((b) => /can also be accessed/i.test(b));
  const body = blocks.slice(1, footerAt < 0 ? blocks.length : footerAt);
  const footer = footerAt < 0 ? [] : blocks.slice(footerAt);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const day = new Date(Date.UTC(2016, 11, 15) - i * 86_400_000);
    const dateText = `${MONTHS[day.getUTCMonth()]} ${day.getUTCDate()}, ${day.getUTCFullYear()}`;
    const rotated = [...body.slice(i % body.length), ...body.slice(0, i % body.length)];
    const kept = rotated.slice(0, Math.max(3, body.length - (i % 9)));
    const hosts = [`www.presstv${i % 7}.example.net`, ...(i % 3 === 0 ? [`presstv${i}.example.org`] : [])];
    const seed = [`${headline} (${i + 1})`, ...kept, ...footer.slice(0, 2), ...hosts, ...footer.slice(2)].join('\n\n').replace(SAMPLE_DATE, dateText);
    const id = createHash('sha256').update(`bench-seed-${i}`).digest('hex').slice(0, 16);
    const name = `${String(i + 1).padStart(3, '0')}_${id}.txt`;
    writeFileSync(path.join(folder, name), `${seed}\n`);
    names.push(name);
  }
  return names;
}
