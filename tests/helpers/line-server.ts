/**
 * A validator kept running for the whole test worker: one JSON request line in, one JSON reply
 * line out, in order. Python and its modules (feedparser, the W3C Feed Validator) then start once
 * per worker instead of once per check (~0.3–0.5 CPU-seconds each). The program judges each
 * request as its one-shot form judges its arguments, so the verdicts are the same; a request
 * that fails is answered with an error; a program that dies is started again by the next request.
 * Its handles are unref'd, so it never keeps a worker alive; it ends when the worker's end closes
 * its stdin.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';

interface Pending {
  resolve(reply: unknown): void;
  reject(error: Error): void;
}

export class LineServer {
  private child: ChildProcess | null = null;
  private pending: Pending[] = [];
  private buffer = '';
  private stderr = '';

  constructor(
    private readonly name: string,
    private readonly command: string,
    private readonly args: string[],
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** Sends `request` (as a JSON line) and answers the reply line, parsed. */
  request<T>(request: unknown): Promise<T> {
    const child = this.child ?? this.start();
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ resolve: resolve as (reply: unknown) => void, reject });
      child.stdin!.write(`${JSON.stringify(request)}\n`);
    });
  }

  private start(): ChildProcess {
    const child = spawn(this.command, this.args, { env: this.env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    this.buffer = '';
    this.stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => this.take(chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr = (this.stderr + chunk).slice(-4000)));
    // a write to a program that has just died: its exit, below, fails what was waiting
    child.stdin!.on('error', () => undefined);
    child.on('error', (error) => this.fail(child, error));
    child.on('exit', (code, signal) => this.fail(child, new Error(`${this.name} exited (${signal ?? code}): ${this.stderr}`)));
    child.unref();
    for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as Socket | null)?.unref?.();
    return child;
  }

  private take(chunk: string): void {
    // a reply of megabytes comes in many chunks: only a chunk with a newline ends one
    if (!chunk.includes('\n')) {
      this.buffer += chunk;
      return;
    }
    const lines = (this.buffer + chunk).split('\n');
    this.buffer = lines.pop()!;
    for (const line of lines) {
      const waiting = this.pending.shift();
      if (!waiting) continue;
      try {
        const reply = JSON.parse(line) as { error?: string; result?: unknown };
        if (reply.error !== undefined) waiting.reject(new Error(`${this.name}: ${reply.error}`));
        else waiting.resolve(reply.result);
      } catch (error) {
        waiting.reject(new Error(`${this.name}: unreadable reply ${JSON.stringify(line.slice(0, 200))}: ${(error as Error).message}`));
      }
    }
  }

  private fail(child: ChildProcess, error: Error): void {
    if (this.child !== child) return;
    this.child = null;
    for (const waiting of this.pending.splice(0)) waiting.reject(error);
  }
}
