import iconv from 'iconv-lite';

/**
 * C1 control characters (U+0080–U+009F) in feed text are windows-1252 punctuation in disguise: a
 * generator decoded cp1252 bytes as Latin-1, or wrote `&#146;` for ’. No text means the controls
 * themselves, so each is read as the windows-1252 character of its byte, as Python feedparser and
 * the HTML standard's numeric-reference rule do; the five bytes cp1252 leaves undefined stay as
 * they are. (iconv-lite: Node's TextDecoder reads the windows-1252 label as Latin-1.)
 */
const C1_CONTROL = /[\u0080-\u009f]/g;
const CP1252 = new Map<string, string>();
for (let code = 0x80; code <= 0x9f; code++) {
  const char = iconv.decode(Buffer.of(code), 'windows-1252');
  if (char !== '\uFFFD') CP1252.set(String.fromCharCode(code), char);
}

export function mapC1Controls(text: string): string {
  return text.replace(C1_CONTROL, (control) => CP1252.get(control) ?? control);
}
