/**
 * The terminal's status line (src/log/status-line.ts) against a stream that records what it is
 * sent: log lines never share a line with it, it never outgrows the terminal, and its text cannot
 * carry a control sequence. The whole behaviour on a real terminal: progress-line.test.ts.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { StatusLine } from '../../src/log/status-line.js';
import { screenLines } from './helpers/terminal.js';

const ERASE = '\r\x1b[2K';

function terminal(columns: number): { out: Writable & { isTTY: boolean; columns: number }; text(): string } {
  let text = '';
  const out = Object.assign(new Writable({ write: (chunk: Buffer, _e, done) => ((text += chunk.toString()), done()) }), { isTTY: true, columns });
  return { out, text: () => text };
}

async function writeLog(stream: Writable, line: string): Promise<void> {
  await new Promise<void>((resolve) => stream.write(line, () => resolve()));
}

describe('StatusLine', () => {
  it('a log line erases it first and draws it again below itself; close erases it for good', async () => {
    const t = terminal(80);
    const line = new StatusLine(t.out);
    const log = line.logStream();
    expect(log.isTTY).toBe(true);
    line.show('1/3 done');
    await writeLog(log, 'INFO: first\n');
    line.show('2/3 done');
    expect(screenLines(t.text())).toEqual(['INFO: first', '2/3 done']);
    line.close();
    await writeLog(log, 'INFO: run done\n');
    line.show('3/3 done');
    expect(screenLines(t.text())).toEqual(['INFO: first', 'INFO: run done']);
    expect(t.text()).toBe(`${ERASE}1/3 done${ERASE}INFO: first\n${ERASE}1/3 done${ERASE}2/3 done${ERASE}INFO: run done\n`);
  });

  it('the same text is not drawn twice; nothing is erased that was never drawn', async () => {
    const t = terminal(80);
    const line = new StatusLine(t.out);
    await writeLog(line.logStream(), 'INFO: before\n');
    line.show('same');
    line.show('same');
    expect(t.text()).toBe(`INFO: before\n${ERASE}same`);
  });

  const CASES: { name: string; columns: number; text: string; shown: string }[] = [
    { name: 'cut to the width, with an ellipsis', columns: 12, text: 'feedmirror run: 2/3', shown: 'feedmirror…' },
    { name: 'a terminal that says 0 columns: 80 assumed', columns: 0, text: 'x'.repeat(100), shown: `${'x'.repeat(78)}…` },
    { name: 'newline, CR, ESC and CSI escaped, never sent', columns: 80, text: 'a\nb\rc\x1b[31md\u009be\u202ef', shown: 'a\\nb\\rc\\x1b[31md\\x9be\\u202ef' },
  ];
  for (const c of CASES) {
    it(`${c.name}`, () => {
      const t = terminal(c.columns);
      new StatusLine(t.out).show(c.text);
      expect(t.text()).toBe(`${ERASE}${c.shown}`);
    });
  }
});
