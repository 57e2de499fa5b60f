/**
 * Sends requests to meterwatch's HTTP API from outside, as a device gateway or an upload
 * tool would: bounded concurrency, retries with exponential backoff and jitter on network
 * errors, 429 and 5xx. A 4xx other than 429 is final (the request itself is wrong, or the
 * endpoint does not exist yet) and is counted, not retried.
 */
export interface HttpDriverOptions {
  baseUrl: string;
  /** requests in flight at once */
  concurrency: number;
  /** attempts per request, the first included */
  attempts: number;
  /** first backoff, doubled each retry (with ±50 % jitter), ms */
  backoffMs: number;
  timeoutMs: number;
  onFinalFailure?: (path: string, status: number | string, body: string) => void;
}

export interface HttpStats {
  requests: number;
  ok: number;
  retries: number;
  failed: number;
  /** records the server reported accepted / rejected (interface.md §1 HTTP answers) */
  accepted: number;
  rejected: number;
  byStatus: Record<string, number>;
}

export class HttpDriver {
  readonly stats: HttpStats = { requests: 0, ok: 0, retries: 0, failed: 0, accepted: 0, rejected: 0, byStatus: {} };
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly opts: HttpDriverOptions) {}

  /**
   * Queues a POST; resolves once it has a slot (not when it completes), so a producer that
   * awaits each call is paced by the server. `drain()` waits for everything queued.
   */
  async post(path: string, body: string, contentType = 'application/json'): Promise<void> {
    while (this.inFlight >= this.opts.concurrency) await new Promise<void>((r) => this.waiting.push(r));
    this.inFlight++;
    const p = this.send(path, body, contentType).finally(() => {
      this.inFlight--;
      this.pending.delete(p);
      this.waiting.shift()?.();
    });
    this.pending.add(p);
  }

  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private async send(path: string, body: string, contentType: string): Promise<void> {
    const url = new URL(path, this.opts.baseUrl).toString();
    for (let attempt = 1; ; attempt++) {
      this.stats.requests++;
      let status: number | string;
      let text = '';
      try {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body, signal: AbortSignal.timeout(this.opts.timeoutMs) });
        status = res.status;
        text = await res.text();
        this.stats.byStatus[status] = (this.stats.byStatus[status] ?? 0) + 1;
        if (res.ok) {
          this.stats.ok++;
          this.count(text);
          return;
        }
        if (status !== 429 && (status < 500 || status === 501)) {
          this.stats.failed++;
          this.opts.onFinalFailure?.(path, status, text.slice(0, 160));
          return;
        }
      } catch (err) {
        status = (err as Error).name === 'TimeoutError' ? 'timeout' : ((err as { cause?: { code?: string } }).cause?.code ?? 'network');
        this.stats.byStatus[status] = (this.stats.byStatus[status] ?? 0) + 1;
      }
      if (attempt >= this.opts.attempts) {
        this.stats.failed++;
        this.opts.onFinalFailure?.(path, status, text.slice(0, 160));
        return;
      }
      this.stats.retries++;
      const delay = this.opts.backoffMs * 2 ** (attempt - 1) * (0.5 + Math.random());
      await new Promise((r) => setTimeout(r, Math.min(delay, 30_000)));
    }
  }

  /** Reads `{ accepted, rejected: [...] }` when the endpoint answers with it. */
  private count(text: string): void {
    try {
      const body = JSON.parse(text) as { accepted?: unknown; rejected?: unknown };
      if (typeof body.accepted === 'number') this.stats.accepted += body.accepted;
      if (Array.isArray(body.rejected)) this.stats.rejected += body.rejected.length;
    } catch {
      // not every endpoint answers with counts
    }
  }
}
