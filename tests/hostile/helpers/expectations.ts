/** Assertions shared by the hostile-input tests. */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { describeChild, MAX_RSS_BYTES, type ChildResult } from './processes.js';

/** The child ended by itself (no deadline kill) with `code`. */
export function expectExit(result: ChildResult, code: number): void {
  expect(result.timedOut, describeChild(result)).toBe(false);
  expect(result.code, describeChild(result)).toBe(code);
}

/** Peak RSS under the generous bound; says so on the console when it cannot be measured here. */
export function expectBoundedMemory(result: ChildResult): void {
  if (result.peakRssBytes === null) {
    console.warn('[feedmirror tests] peak RSS not measured: neither /usr/bin/time nor /proc/<pid>/status is available');
    return;
  }
  expect(result.peakRssBytes, describeChild(result)).toBeLessThan(MAX_RSS_BYTES);
}

/** The first line of /etc/passwd (root's entry) and the marker the issue names: neither may be published or stored. */
export const PASSWD_MARKERS = ['root:x:0:0', 'root:'];

/** Lines of this machine's /etc/passwd long enough to be unmistakable; [] where there is none. */
export function passwdLines(): string[] {
  try {
    return readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.length >= 12);
  } catch {
    return [];
  }
}

/** Fails when any piece of /etc/passwd (or the literal path) shows up in `text`. */
export function expectNoPasswd(text: string, where: string): void {
  for (const marker of [...PASSWD_MARKERS, '/etc/passwd', ...passwdLines()]) {
    expect(text.includes(marker), `${where} contains ${JSON.stringify(marker)}`).toBe(false);
  }
}
