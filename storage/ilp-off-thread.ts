import { Worker } from 'node:worker_threads';
import { ErrorCodes, MeterwatchError } from '../core/errors.ts';

/**
 * Sends ILP bodies to QuestDB from a worker thread. A batch pass builds hundreds of MB of
 * alert lines on the main thread and then goes on with the next rule; a request sent from
 * the main thread only moves while its event loop turns, so QuestDB would wait for the rule
 * to finish. The worker's own loop keeps the bytes flowing, and QuestDB takes them on its
 * core while the rules run on this one.
 *
 * The body's memory is moved to the worker (no copy): the buffer given to `send` is
 * unusable afterwards. The worker is plain JavaScript (an eval worker): tsx does not load
 * TypeScript in worker threads.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 }); // in order, one at a time: requests of later periods committed first would make QuestDB merge out of order
parentPort.on('message', ({ id, url, buffer, length }) => {
  const done = (m) => parentPort.postMessage({ id, ...m });
  const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'text/plain; charset=utf-8', 'content-length': length } }, (res) => {
    const chunks = [];
    res.on('data', (c) => chunks.push(c));
    res.on('error', (e) => done({ error: e.message }));
    res.on('end', () => done({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8').slice(0, 500) }));
  });
  req.on('error', (e) => done({ error: e.message }));
  req.end(new Uint8Array(buffer, 0, length));
});
`;

interface Reply {
  id: number;
  status?: number;
  text?: string;
  error?: string;
}

export class IlpOffThread {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();

  /** POSTs the first `length` bytes of `body` to `${httpUrl}/write`; resolves when QuestDB accepted them. */
  send(httpUrl: string, body: Buffer, length: number): Promise<void> {
    if (length === 0) return Promise.resolve();
    const worker = this.started();
    const id = this.nextId++;
    // A Buffer may share a pooled ArrayBuffer: move only a buffer of its own.
    const own = body.byteOffset === 0 && body.buffer.byteLength === body.length ? body : Buffer.from(body.subarray(0, length));
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref(); // a send in progress keeps the process alive; an idle worker does not
      worker.postMessage({ id, url: `${httpUrl.replace(/\/$/, '')}/write`, buffer: own.buffer, length }, [own.buffer as ArrayBuffer]);
    });
  }

  /** Stops the worker; sends in progress fail. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    worker.on('message', (r: Reply) => this.settle(r));
    const failAll = (message: string) => {
      if (this.worker === worker) this.worker = undefined;
      for (const [id, p] of this.pending) {
        this.pending.delete(id);
        p.reject(new MeterwatchError(ErrorCodes.STORAGE, message));
      }
    };
    worker.on('error', (err) => failAll(`ILP sender thread failed: ${err.message}`));
    worker.on('exit', (code) => failAll(`ILP sender thread exited (${code})`));
    this.worker = worker;
    return worker;
  }

  private settle(r: Reply): void {
    const p = this.pending.get(r.id);
    if (!p) return;
    this.pending.delete(r.id);
    if (this.pending.size === 0) this.worker?.unref();
    if (r.error !== undefined) p.reject(new MeterwatchError(ErrorCodes.STORAGE, `QuestDB /write unreachable: ${r.error}`));
    else if (r.status === undefined || r.status < 200 || r.status >= 300) p.reject(new MeterwatchError(ErrorCodes.STORAGE, `QuestDB /write answered ${r.status}: ${r.text ?? ''}`));
    else p.resolve();
  }
}
