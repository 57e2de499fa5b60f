import type { Logger } from '../../core/logger.ts';
import { sqlString, sqlTimestamp, type SqlClient } from '../../storage/sql.ts';
import { ilpLine, writeIlp } from '../../storage/ilp-http.ts';
import { waitForWalApplied } from '../../storage/wal-visibility.ts';
import { foldEvent, isClosed, type CaseAction, type CaseEvent, type CaseState, type LedgerCase } from './case-machine.ts';

interface EventRow {
  ts: number;
  case_id: string;
  seq: number;
  meter_id: string | null;
  customer_id: string | null;
  action: string;
  from_state: string | null;
  to_state: string;
  actor: string | null;
  role: string | null;
  details: string | null;
  [k: string]: unknown;
}

const str = (v: string | undefined | null) => (v === undefined || v === null || v === '' ? 'NULL' : sqlString(v));

/** Cases are per customer (domain.md §5: the ledger lists customers); a meter without one stands for itself. */
export function customerKey(customerId: string | undefined, meterId: string): string {
  return customerId ? `c:${customerId}` : `m:${meterId}`;
}

/** Rows per INSERT statement when many events are written at once (a batch pass opening thousands of cases). */
const INSERT_CHUNK = 500;

/** Events per ILP request. */
const ILP_CHUNK = 20_000;

function eventIlpLine(e: CaseEvent): string {
  return ilpLine('ledger_events', {
    ts: e.ts,
    symbols: { case_id: e.caseId, meter_id: e.meterId, customer_id: e.customerId, action: e.action, from_state: e.from ?? undefined, to_state: e.to, role: e.role },
    fields: { seq: { kind: 'int', value: e.seq }, actor: { kind: 'string', value: e.actor }, details: { kind: 'string', value: JSON.stringify(e.details) } },
  });
}

function eventValues(e: CaseEvent): string {
  return `(${sqlTimestamp(e.ts)}, ${sqlString(e.caseId)}, ${e.seq}, ${str(e.meterId)}, ${str(e.customerId)}, ${sqlString(e.action)}, ${str(e.from)}, ${sqlString(e.to)}, ${sqlString(e.actor)}, ${sqlString(e.role)}, ${sqlString(JSON.stringify(e.details))})`;
}

/**
 * Ledger cases event-sourced from `ledger_events` (migration 001): every transition is one
 * row; the current cases are the fold of those rows, kept in memory after `load()`. One
 * process owns the ledger; writes go to QuestDB before the in-memory case changes.
 */
export class LedgerStore {
  private readonly cases = new Map<string, LedgerCase>();
  /** alert id → the case it joined: a redelivered alert must not open a second case */
  private readonly byAlert = new Map<string, string>();
  /** customer key → its case in progress (at most one) */
  private readonly activeByCustomer = new Map<string, string>();

  constructor(
    private readonly sql: SqlClient,
    private readonly log: Logger,
    /** QuestDB HTTP URL: batches of events go over ILP (a batch pass opens thousands of cases); else SQL INSERTs. */
    private readonly httpUrl?: string,
  ) {}

  async load(): Promise<number> {
    await waitForWalApplied(this.sql, 'ledger_events', 60_000);
    const rows = await this.sql.query<EventRow>('SELECT * FROM ledger_events ORDER BY case_id, seq');
    this.cases.clear();
    this.byAlert.clear();
    this.activeByCustomer.clear();
    for (const r of rows) {
      const e = rowToEvent(r);
      this.put(e);
    }
    this.log.info({ cases: this.cases.size, events: rows.length }, 'ledger loaded');
    return this.cases.size;
  }

  get(caseId: string): LedgerCase | undefined {
    return this.cases.get(caseId);
  }

  all(): LedgerCase[] {
    return [...this.cases.values()];
  }

  /** The case an alert already belongs to. */
  caseOfAlert(alertId: string): LedgerCase | undefined {
    const id = this.byAlert.get(alertId);
    return id === undefined ? undefined : this.cases.get(id);
  }

  /** The customer's case in progress, if any. */
  activeCase(customerId: string | undefined, meterId: string): LedgerCase | undefined {
    const id = this.activeByCustomer.get(customerKey(customerId, meterId));
    return id === undefined ? undefined : this.cases.get(id);
  }

  async append(e: CaseEvent): Promise<LedgerCase> {
    await this.appendMany([e]);
    return this.cases.get(e.caseId)!;
  }

  /**
   * Several events in a few multi-row INSERTs (in order; a case may appear more than once).
   * They reach QuestDB before the in-memory cases change.
   */
  async appendMany(events: readonly CaseEvent[]): Promise<void> {
    if (this.httpUrl !== undefined) {
      for (let i = 0; i < events.length; i += ILP_CHUNK) {
        const chunk = events.slice(i, i + ILP_CHUNK);
        await writeIlp(this.httpUrl, chunk.map(eventIlpLine).join(''));
        for (const e of chunk) this.put(e);
      }
      return;
    }
    for (let i = 0; i < events.length; i += INSERT_CHUNK) {
      const chunk = events.slice(i, i + INSERT_CHUNK);
      await this.sql.exec(`INSERT INTO ledger_events (ts, case_id, seq, meter_id, customer_id, action, from_state, to_state, actor, role, details) VALUES ${chunk.map(eventValues).join(', ')}`);
      for (const e of chunk) this.put(e);
    }
  }

  /** Folds a stored event into its case, in place: the store owns its cases (callers get copies to change). */
  private put(e: CaseEvent): void {
    const next = foldEvent(this.cases.get(e.caseId), e);
    this.cases.set(next.caseId, next);
    const alert = (e.action === 'open' || e.action === 'join') && (e.details.alert as { alertId?: unknown } | undefined);
    if (alert && typeof alert.alertId === 'string') this.byAlert.set(alert.alertId, next.caseId);
    const key = customerKey(next.customerId, next.meterId);
    if (!isClosed(next)) this.activeByCustomer.set(key, next.caseId);
    else if (this.activeByCustomer.get(key) === next.caseId) this.activeByCustomer.delete(key);
  }
}

function rowToEvent(r: EventRow): CaseEvent {
  let details: Record<string, unknown> = {};
  try {
    details = r.details ? (JSON.parse(r.details) as Record<string, unknown>) : {};
  } catch {
    details = { raw: r.details };
  }
  return {
    caseId: r.case_id,
    seq: Number(r.seq),
    ts: Number(r.ts),
    meterId: r.meter_id ?? '',
    customerId: r.customer_id ?? undefined,
    action: r.action as CaseAction,
    from: (r.from_state as CaseState | null) ?? null,
    to: r.to_state as CaseState,
    actor: r.actor ?? '',
    role: (r.role ?? 'system') as CaseEvent['role'],
    details,
  };
}
