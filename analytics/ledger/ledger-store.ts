import type { Logger } from '../../core/logger.ts';
import { sqlString, sqlTimestamp, type SqlClient } from '../../storage/sql.ts';
import { waitForWalApplied } from '../../storage/wal-visibility.ts';
import { applyEvent, type CaseAction, type CaseEvent, type CaseState, type LedgerCase } from './case-machine.ts';

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

/**
 * Ledger cases event-sourced from `ledger_events` (migration 001): every transition is one
 * row; the current cases are the fold of those rows, kept in memory after `load()`. One
 * process owns the ledger; writes go to QuestDB before the in-memory case changes.
 */
export class LedgerStore {
  private readonly cases = new Map<string, LedgerCase>();

  constructor(
    private readonly sql: SqlClient,
    private readonly log: Logger,
  ) {}

  async load(): Promise<number> {
    await waitForWalApplied(this.sql, 'ledger_events', 60_000);
    const rows = await this.sql.query<EventRow>('SELECT * FROM ledger_events ORDER BY case_id, seq');
    this.cases.clear();
    for (const r of rows) {
      const e = rowToEvent(r);
      this.cases.set(e.caseId, applyEvent(this.cases.get(e.caseId), e));
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

  async append(e: CaseEvent): Promise<LedgerCase> {
    await this.sql.exec(
      `INSERT INTO ledger_events (ts, case_id, seq, meter_id, customer_id, action, from_state, to_state, actor, role, details) VALUES (${sqlTimestamp(e.ts)}, ${sqlString(e.caseId)}, ${e.seq}, ${str(e.meterId)}, ${str(e.customerId)}, ${sqlString(e.action)}, ${str(e.from)}, ${sqlString(e.to)}, ${sqlString(e.actor)}, ${sqlString(e.role)}, ${sqlString(JSON.stringify(e.details))})`,
    );
    const next = applyEvent(this.cases.get(e.caseId), e);
    this.cases.set(e.caseId, next);
    return next;
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
