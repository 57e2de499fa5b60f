import type { TypedBus } from '../../core/bus.ts';
import type { MeterwatchEvents } from '../../core/events.ts';
import type { Logger } from '../../core/logger.ts';
import { sqlString, type SqlClient } from '../../storage/sql.ts';
import { alertIdOfKey, alertKey, type AlertCandidate } from './alert-candidate.ts';
import { writeIlp } from '../../storage/ilp-http.ts';
import { IlpOffThread } from '../../storage/ilp-off-thread.ts';
import { waitForWalApplied } from '../../storage/wal-visibility.ts';
import { ALERT_COLUMNS, AlertLines, rowToAlert, type AlertRow, type StoredAlert } from './alert-rows.ts';

/** Bytes of ILP per request of a large write. */
const WRITE_BUFFER = 16 * 1024 * 1024;
/** Up to this many alerts are written in one request from this thread (the stream's few at a time). */
const SMALL_WRITE = 2_000;

export interface SubmitResult {
  raised: number;
  updated: number;
  unchanged: number;
}

/**
 * Turns rule candidates into alerts: one per (meter, rule, period) however often the rules
 * run or readings are redelivered (interface.md §3). A known alert whose fault lasted longer
 * (state rules) or whose value grew is updated in place; its id, raisedAt and status stay.
 */
/**
 * What the sink keeps of a stored alert to recognise it: not its message and evidence. A
 * first pass over years of history raises hundreds of thousands of alerts, and the whole
 * alerts would stay in the heap for the life of the process.
 */
interface KnownAlert {
  id: string;
  raisedAt: number;
  periodEnd: number;
  value: number;
  severity: StoredAlert['severity'];
  status: StoredAlert['status'];
}

function known(a: StoredAlert): KnownAlert {
  return { id: a.id, raisedAt: a.raisedAt, periodEnd: a.periodEnd, value: a.value, severity: a.severity, status: a.status };
}

export class AlertSink {
  private readonly known = new Map<string, KnownAlert>();
  /** Sends the ILP of large writes (a batch pass) from a worker thread. */
  private readonly sender = new IlpOffThread();
  private chain: Promise<unknown> = Promise.resolve();
  /** Alerts written but not yet announced on the bus (see apply). */
  private held: ['alert.raised' | 'alert.updated', StoredAlert][] = [];

  constructor(
    private readonly sql: SqlClient,
    /** QuestDB HTTP URL: alerts are written over ILP, one request per batch. */
    private readonly httpUrl: string,
    private readonly bus: TypedBus<MeterwatchEvents>,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Loads the alerts already stored, so a restart does not raise them again. */
  async load(): Promise<number> {
    const rows = await this.sql.query<AlertRow>(`SELECT ${ALERT_COLUMNS} FROM alerts`);
    for (const r of rows) {
      const a = rowToAlert(r);
      this.known.set(alertKey(a.meterId, a.rule, a.periodStart), known(a));
    }
    return rows.length;
  }

  get size(): number {
    return this.known.size;
  }

  /**
   * Serialised: stream and batch rules may submit at once without racing on the same key.
   * Resolves when the alerts are readable in QuestDB, unless `visible: false` (a batch pass
   * submits rule by rule and waits once, with `waitVisible`, so QuestDB takes one rule's
   * alerts while the next rule runs).
   */
  submit(candidates: readonly AlertCandidate[], opts: { visible?: boolean } = {}): Promise<SubmitResult> {
    const run = this.chain.then(() => this.apply(candidates, opts.visible ?? true));
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Status changes from people (acknowledge, assign, close); serialised with the rules' submissions. */
  setStatus(id: string, status: StoredAlert['status']): Promise<StoredAlert | undefined> {
    const run = this.chain.then(() => this.applyStatus(id, status));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async applyStatus(id: string, status: StoredAlert['status']): Promise<StoredAlert | undefined> {
    // DEDUP UPSERT keeps one row per (period, meter, rule); the id is derived from that key.
    const rows = await this.sql.query<AlertRow>(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE id = ${sqlString(id)} LIMIT 1`);
    if (rows.length === 0) return undefined;
    const alert = rowToAlert(rows[0]!);
    const next: StoredAlert = { ...alert, status, updatedAt: this.now() };
    await this.write([next]);
    this.known.set(alertKey(next.meterId, next.rule, next.periodStart), known(next));
    this.bus.emit('alert.updated', { alert: next });
    return next;
  }

  /** Resolves when every alert submitted so far is readable in QuestDB. */
  waitVisible(): Promise<void> {
    const run = this.chain.then(async () => {
      await waitForWalApplied(this.sql, 'alerts', 120_000);
      this.emitHeld();
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  private emitHeld(): void {
    const held = this.held;
    this.held = [];
    for (const [event, alert] of held) this.bus.emit(event, { alert });
  }

  private async apply(candidates: readonly AlertCandidate[], visible: boolean): Promise<SubmitResult> {
    const result: SubmitResult = { raised: 0, updated: 0, unchanged: 0 };
    const fresh: StoredAlert[] = [];
    const grown: StoredAlert[] = [];
    const now = this.now();
    for (const c of candidates) {
      const key = alertKey(c.meterId, c.rule, c.periodStart);
      const old = this.known.get(key);
      if (!old) {
        // The candidate becomes the alert in place (no copy per alert: a first pass raises
        // hundreds of thousands); rules hand over their candidates and keep no reference.
        const alert = c as AlertCandidate & Partial<StoredAlert>;
        alert.id = alertIdOfKey(key);
        alert.raisedAt = now;
        alert.updatedAt = now;
        alert.status = 'open';
        this.known.set(key, known(alert as StoredAlert));
        fresh.push(alert as StoredAlert);
        continue;
      }
      if (c.periodEnd > old.periodEnd || Math.abs(c.value - old.value) > 1e-9 * Math.max(1, Math.abs(old.value)) || c.severity !== old.severity) {
        const alert: StoredAlert = { ...c, id: old.id, raisedAt: old.raisedAt, status: old.status, updatedAt: now, periodEnd: Math.max(c.periodEnd, old.periodEnd) };
        this.known.set(key, known(alert));
        grown.push(alert);
        continue;
      }
      result.unchanged++;
    }
    await this.write([...fresh, ...grown], visible);
    // Listeners (WebSocket, MQTT, the ledger) hear of an alert once it is readable; alerts
    // written without waiting are held until waitVisible.
    for (const alert of fresh) this.held.push(['alert.raised', alert]);
    for (const alert of grown) this.held.push(['alert.updated', alert]);
    if (visible) this.emitHeld();
    result.raised = fresh.length;
    result.updated = grown.length;
    if (fresh.length > 0) this.log.info({ raised: fresh.length, updated: grown.length }, 'alerts');
    return result;
  }

  /**
   * ILP, up to 16 MB a request; then waits until QuestDB applied them, so whoever asked for
   * the run (POST /api/analytics/run) can read every alert it raised as soon as it returns.
   */
  private async write(alerts: readonly StoredAlert[], visible = true): Promise<void> {
    if (alerts.length === 0) return;
    // In time order: the alerts table is partitioned by period_start, and rows that go back
    // in time make QuestDB merge out of order (a rule's candidates come meter by meter).
    alerts = [...alerts].sort((a, b) => a.periodStart - b.periodStart);
    // Lines go straight into buffers that a worker thread sends (storage/ilp-off-thread.ts):
    // a first pass writes ~350 MB of ILP, and QuestDB takes it while the next rule runs here.
    const lines = new AlertLines();
    if (alerts.length <= SMALL_WRITE) {
      let body = '';
      for (const alert of alerts) body += lines.line(alert);
      await writeIlp(this.httpUrl, body);
      if (visible) await waitForWalApplied(this.sql, 'alerts', 120_000);
      return;
    }
    const sends: Promise<void>[] = [];
    let buffer = Buffer.allocUnsafe(WRITE_BUFFER);
    let filled = 0;
    const send = () => {
      const done = this.sender.send(this.httpUrl, buffer, filled);
      done.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
      sends.push(done);
      buffer = Buffer.allocUnsafe(WRITE_BUFFER);
      filled = 0;
    };
    for (const alert of alerts) {
      const line = lines.line(alert);
      // UTF-8 takes at most 3 bytes per UTF-16 unit.
      if (filled + line.length * 3 > WRITE_BUFFER) send();
      if (line.length * 3 > WRITE_BUFFER) {
        sends.push(writeIlp(this.httpUrl, line)); // one alert larger than a buffer (evidence of years): alone
        continue;
      }
      filled += buffer.write(line, filled, 'utf8');
    }
    if (filled > 0) send();
    await Promise.all(sends);
    if (visible) await waitForWalApplied(this.sql, 'alerts', 120_000);
  }
}

