import { randomUUID } from 'node:crypto';
import type { TypedBus } from '../core/bus.ts';
import { MeterwatchError, ErrorCodes } from '../core/errors.ts';
import type { MeterwatchEvents } from '../core/events.ts';
import type { Logger } from '../core/logger.ts';
import type { IcPurchase, Reading, RejectedRecord } from '../core/types.ts';
import { IlpWriteError, type IlpWriter } from '../storage/ilp-writer.ts';
import { icPurchaseLine, readingLine, rejectedLine } from '../storage/ilp/rows.ts';
import type { IngestMetrics } from './metrics.ts';
import type { Spool } from './spool/spool.ts';

/** What one message or request hands to the sink: everything in it, good and bad. */
export interface SinkBatch {
  readings: readonly Reading[];
  rejected: readonly RejectedRecord[];
  purchases?: readonly IcPurchase[] | undefined;
}

export interface DurableSinkOptions {
  writer: IlpWriter;
  spool: Spool;
  bus: TypedBus<MeterwatchEvents>;
  metrics: IngestMetrics;
  log: Logger;
  /** Group-commit window: records arriving within it share one flush or one fsync. */
  groupCommitMs: number;
  batchRows: number;
  maxPendingRows: number;
  /** Group commits in flight at once (2: one decodes while the other waits on QuestDB). */
  maxConcurrentFlushes: number;
  replayIntervalMs: number;
}

export class BackpressureError extends MeterwatchError {
  constructor(message: string, cause?: unknown) {
    super(ErrorCodes.STORAGE, message, { hint: 'the sender should retry later (MQTT: reconnect and resend; HTTP: 503)', cause });
  }
}

interface Pending {
  batch: SinkBatch;
  text: string;
  rows: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * Makes records durable before anyone is told they were accepted (interface.md §1 QoS 1;
 * issue 3 item 3). Submissions wait at most one group-commit window, then go out together
 * (at most `maxConcurrentFlushes` batches at a time, acknowledged in arrival order):
 * straight to QuestDB while it answers, else appended to the spool with one fsync. While the
 * spool holds anything, new records go to the spool too and a replay loop drains it
 * oldest-first; only an empty spool switches back to direct writes. Memory is bounded by
 * `maxPendingRows`; a full spool rejects the submission, so the sender is not acknowledged.
 */
export class DurableSink {
  private pending: Pending[] = [];
  private pendingRows = 0;
  private timer: NodeJS.Timeout | undefined;
  private replayTimer: NodeJS.Timeout | undefined;
  private spoolLock: Promise<void> = Promise.resolve();
  private inFlight = 0;
  /** Resolves when the latest started commit has been announced (keeps acknowledgements in order). */
  private announced: Promise<void> = Promise.resolve();
  private direct: boolean;
  private stopped = false;
  accepted = 0;
  rejected = 0;

  constructor(private readonly opts: DurableSinkOptions) {
    this.direct = opts.spool.isEmpty;
    opts.writer.onFlush = (seconds) => opts.metrics.observeFlush(seconds);
  }

  /** true while records go straight to QuestDB; false while they go to the spool. */
  get storageUp(): boolean {
    return this.direct;
  }

  get pendingCount(): number {
    return this.pendingRows;
  }

  get spooledRows(): number {
    return this.opts.spool.rows;
  }

  get spooledBytes(): number {
    return this.opts.spool.bytes;
  }

  start(): void {
    this.replayTimer = setInterval(() => void this.replayStep(), this.opts.replayIntervalMs);
    this.replayTimer.unref();
  }

  /** Resolves once every record of the batch is in QuestDB or in the fsynced spool. */
  submit(batch: SinkBatch): Promise<void> {
    if (this.stopped) return Promise.reject(new BackpressureError('ingest is stopping'));
    const rows = batch.readings.length + batch.rejected.length + (batch.purchases?.length ?? 0);
    if (rows === 0) return Promise.resolve();
    if (this.pendingRows + rows > this.opts.maxPendingRows) {
      this.opts.metrics.messagesRefused++;
      return Promise.reject(new BackpressureError(`${this.pendingRows} rows already waiting for storage (limit ${this.opts.maxPendingRows})`));
    }
    const text = serialize(batch);
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ batch, text, rows, resolve, reject });
      this.pendingRows += rows;
      this.schedule();
    });
  }

  /** Writes what is pending, stops replaying, closes the spool. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.replayTimer) clearInterval(this.replayTimer);
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.pending.length > 0 || this.inFlight > 0) {
      this.startCommits();
      await this.announced;
      await new Promise((r) => setImmediate(r));
    }
    await this.withSpoolLock(() => this.opts.spool.close());
  }

  private schedule(): void {
    if (this.inFlight >= this.opts.maxConcurrentFlushes) return; // a finishing commit picks the new ones up
    if (this.pendingRows >= this.opts.batchRows) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.startCommits();
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.startCommits();
      }, this.opts.groupCommitMs);
    }
  }

  /**
   * Starts group commits up to `maxConcurrentFlushes`: while one flush waits on QuestDB the
   * next batch is already on its way, so decoding and storage overlap.
   */
  private startCommits(): void {
    while (this.pending.length > 0 && this.inFlight < this.opts.maxConcurrentFlushes) {
      this.inFlight++;
      void this.commit().finally(() => {
        this.inFlight--;
        if (this.pending.length > 0) this.schedule();
      });
    }
  }

  /**
   * One group commit: up to batchRows rows, to QuestDB or to the spool. Commits may finish
   * out of order; their announcements and acknowledgements are released in order.
   */
  private async commit(): Promise<void> {
    const group: Pending[] = [];
    let rows = 0;
    while (this.pending.length > 0 && (group.length === 0 || rows + this.pending[0]!.rows <= this.opts.batchRows)) {
      const p = this.pending.shift()!;
      group.push(p);
      rows += p.rows;
    }
    if (group.length === 0) return;
    const previous = this.announced;
    let release!: () => void;
    this.announced = new Promise<void>((r) => (release = r));
    const text = group.length === 1 ? group[0]!.text : group.map((p) => p.text).join('');
    let failure: Error | undefined;
    try {
      await this.makeDurable(text, rows);
    } catch (err) {
      // Spool full or the disk failing: the sender must keep the records and retry.
      failure = new BackpressureError(`records not durable: ${(err as Error).message}`, err);
    }
    await previous;
    this.pendingRows -= rows;
    if (failure) {
      this.opts.metrics.messagesRefused += group.length;
      for (const p of group) p.reject(failure);
    } else {
      this.announce(group);
      for (const p of group) p.resolve();
    }
    release();
  }

  private async makeDurable(text: string, rows: number): Promise<void> {
    if (this.direct) {
      try {
        await this.opts.writer.write(text);
        return;
      } catch (err) {
        const permanent = err instanceof IlpWriteError && err.permanent;
        this.opts.log.warn({ err: (err as Error).message, rows, permanent }, permanent ? 'QuestDB refused a batch; spooling it for inspection' : 'QuestDB unavailable; spooling');
        if (!permanent) this.direct = false;
      }
    }
    await this.withSpoolLock(() => this.opts.spool.append(text, rows));
    this.opts.metrics.spoolAppends++;
  }

  private announce(group: readonly Pending[]): void {
    const readings: Reading[] = [];
    const rejected: RejectedRecord[] = [];
    const purchases: IcPurchase[] = [];
    for (const { batch } of group) {
      readings.push(...batch.readings);
      rejected.push(...batch.rejected);
      if (batch.purchases) purchases.push(...batch.purchases);
    }
    this.accepted += readings.length + purchases.length;
    this.rejected += rejected.length;
    this.opts.metrics.recordsAccepted += readings.length + purchases.length;
    this.opts.metrics.recordsRejected += rejected.length;
    if (readings.length > 0) this.opts.bus.emit('readings.accepted', { readings });
    if (rejected.length > 0) this.opts.bus.emit('readings.rejected', { records: rejected });
    if (purchases.length > 0) this.opts.bus.emit('ic.purchases', { purchases });
  }

  /** Replays the oldest spool segment; once the spool is empty, writes go direct again. */
  async replayStep(): Promise<void> {
    await this.withSpoolLock(async () => {
      const spool = this.opts.spool;
      for (let segment = await spool.oldest(); segment; segment = await spool.oldest()) {
        try {
          for (const chunk of chunksOf(segment.text, REPLAY_CHUNK_CHARS)) await this.writeIsolatingRefused(chunk);
          await spool.remove(segment.name);
          this.opts.log.info({ rows: segment.rows, left: spool.rows }, 'spool segment replayed into QuestDB');
        } catch {
          return; // QuestDB still unavailable: try again on the next tick
        }
      }
      if (!this.direct) this.opts.log.info('spool empty; writing to QuestDB directly again');
      this.direct = true;
    });
  }

  /**
   * Writes ILP text; if QuestDB refuses it outright (HTTP 4xx), halves it until the refused
   * lines are alone and sets only those aside in spool/dead/, so one bad line never takes
   * its good neighbours with it. Transient failures are thrown to the caller.
   */
  private async writeIsolatingRefused(text: string): Promise<void> {
    try {
      await this.opts.writer.write(text);
    } catch (err) {
      if (!(err instanceof IlpWriteError && err.permanent)) throw err;
      const lines = chunksOf(text, 1);
      if (lines.length <= 1) {
        this.opts.log.error({ err: err.message, line: text.slice(0, 300) }, 'QuestDB refuses a spooled line; kept in spool/dead for inspection');
        await this.opts.spool.deadLetter(text);
        return;
      }
      const half = Math.ceil(lines.length / 2);
      await this.writeIsolatingRefused(lines.slice(0, half).join(''));
      await this.writeIsolatingRefused(lines.slice(half).join(''));
    }
  }

  /** Spool appends, replay and the switch back to direct writes happen one at a time. */
  private withSpoolLock<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.spoolLock.then(fn);
    this.spoolLock = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }
}

/** Replay sends a segment in pieces of about this size (whole lines), each its own request. */
const REPLAY_CHUNK_CHARS = 1024 * 1024;

/** Splits ILP text into pieces of at most ~`size` characters, only at line ends. */
export function chunksOf(text: string, size: number): string[] {
  const out: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + size);
    if (end < text.length) {
      const nl = text.lastIndexOf('\n', end - 1);
      end = nl >= start ? nl + 1 : text.indexOf('\n', end) + 1 || text.length;
    }
    out.push(text.slice(start, end));
    start = end;
  }
  return out;
}

/** ILP text for a batch, made at submit time so the commit only concatenates. */
export function serialize(batch: SinkBatch): string {
  let text = '';
  for (const r of batch.readings) text += readingLine(r);
  for (const r of batch.rejected) text += rejectedLine({ ...r, id: randomUUID() });
  if (batch.purchases) for (const p of batch.purchases) text += icPurchaseLine(p);
  return text;
}
