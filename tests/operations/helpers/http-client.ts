/**
 * Raw HTTP requests to `feedmirror serve` on 127.0.0.1: the path is sent exactly as given (no URL
 * normalization, so "/../" and "%2e%2e" reach the server), and bodies are not decompressed.
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import zlib from 'node:zlib';

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The bytes on the wire (still compressed when Content-Encoding says so). */
  body: Buffer;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** A loopback address other than 127.0.0.1 to connect to. */
  address?: string;
}

export function request(port: number, path: string, options: RequestOptions = {}): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: options.address ?? '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The body decoded according to its Content-Encoding (identity, gzip or br). */
export function decodedBody(response: HttpResponse): Buffer {
  switch (response.headers['content-encoding']) {
    case undefined:
    case 'identity':
      return response.body;
    case 'gzip':
      return zlib.gunzipSync(response.body);
    case 'br':
      return zlib.brotliDecompressSync(response.body);
    default:
      throw new Error(`unexpected Content-Encoding ${String(response.headers['content-encoding'])}`);
  }
}

/** A header that must be present once, as a string. */
export function header(response: HttpResponse, name: string): string {
  const value = response.headers[name.toLowerCase()];
  if (typeof value !== 'string') throw new Error(`response has no single ${name} header: ${JSON.stringify(response.headers)}`);
  return value;
}
