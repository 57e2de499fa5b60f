import { MeterwatchError, ErrorCodes } from '../core/errors.ts';

/**
 * Sends ILP text to QuestDB's HTTP `/write` endpoint. A 2xx means committed to the WAL
 * (architecture.md). Every send has a watchdog: QuestDB being down or slow must never hang
 * the caller (the official client's flush can hang far past its retry timeout), and the
 * caller keeps its own copy of the rows until the returned promise resolves, so a failed
 * send loses nothing. Batching and timers live in the caller (ingest/durable-sink.ts).
 */
export interface IlpWriterOptions {
  httpUrl: string;
  /** Watchdog on one request, ms. */
  timeoutMs: number;
}

export class IlpWriteError extends MeterwatchError {
  /** true: QuestDB refused the data itself (HTTP 4xx) and a retry will fail the same way. */
  readonly permanent: boolean;

  constructor(message: string, permanent: boolean, cause?: unknown) {
    super(ErrorCodes.STORAGE, message, { cause });
    this.permanent = permanent;
  }
}

export class IlpWriter {
  private readonly url: string;
  /** Figures for /metrics: the latency of each successful flush, seconds. */
  onFlush: ((seconds: number, bytes: number) => void) | undefined;

  constructor(private readonly opts: IlpWriterOptions) {
    this.url = `${opts.httpUrl.replace(/\/+$/, '')}/write`;
  }

  async write(body: string): Promise<void> {
    if (body.length === 0) return;
    const started = performance.now();
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: 'POST',
        body,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        signal: AbortSignal.timeout(this.timeoutFor(body.length)),
      });
    } catch (err) {
      const e = err as Error;
      const why = e.name === 'TimeoutError' ? `no answer within ${this.timeoutFor(body.length)} ms` : e.message;
      throw new IlpWriteError(`ILP write to ${this.url} failed: ${why}`, false, err);
    }
    if (res.status >= 200 && res.status < 300) {
      await res.arrayBuffer();
      this.onFlush?.((performance.now() - started) / 1000, body.length);
      return;
    }
    const text = await res.text().catch(() => '');
    throw new IlpWriteError(`ILP write to ${this.url} answered HTTP ${res.status}: ${text.slice(0, 500)}`, res.status >= 400 && res.status < 500);
  }

  /**
   * The watchdog grows with the body: a busy QuestDB takes longer for a big batch, and a
   * fixed limit would time the same replay out again and again without ever finishing it.
   */
  timeoutFor(bytes: number): number {
    return Math.round(this.opts.timeoutMs * Math.max(1, bytes / (1024 * 1024)));
  }
}
