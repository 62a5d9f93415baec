import { request, type Dispatcher } from 'undici';

export interface PingResult {
  ok: boolean;
  status: number | null;
  error: string | null;
}

const PING_TIMEOUT_MS = 10_000;

/**
 * Tells a WebSub hub that feeds changed (hub.mode=publish, one hub.url per feed, form-encoded,
 * as hubs such as Google's and websub.rocks expect). Never throws: a failed ping is reported and
 * the hub catches up on its next poll.
 */
export async function pingWebSub(hub: string, feedUrls: string[], dispatcher: Dispatcher, userAgent: string): Promise<PingResult> {
  const body = new URLSearchParams([['hub.mode', 'publish'], ...feedUrls.map((url) => ['hub.url', url] as [string, string])]).toString();
  try {
    const response = await request(hub, {
      method: 'POST',
      dispatcher,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': userAgent },
      body,
      signal: AbortSignal.timeout(PING_TIMEOUT_MS),
    });
    await response.body.dump();
    const ok = response.statusCode >= 200 && response.statusCode < 300;
    return { ok, status: response.statusCode, error: ok ? null : `HTTP ${response.statusCode}` };
  } catch (error) {
    return { ok: false, status: null, error: (error as Error).message };
  }
}
