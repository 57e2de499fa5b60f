import { randomUUID } from 'node:crypto';
import { ErrorCodes, MeterwatchError } from '../../core/errors.ts';
import { sqlString, sqlTimestamp, type Row, type SqlClient } from '../../storage/sql.ts';
import { waitForWalApplied } from '../../storage/wal-visibility.ts';
import type { SupplementaryProposal } from './supplementary-volume.ts';

/**
 * Volume adjustments (domain.md §6) in `adjustments` (001): each status change of a proposal
 * is a new row with the same id (proposed → approved | rejected); the newest row is the
 * proposal's state. Raw readings are never touched: reports add approved volumes on top.
 */
export type AdjustmentStatus = 'proposed' | 'approved' | 'rejected';

export interface Adjustment {
  id: string;
  ts: number;
  meterId: string;
  customerId?: string | undefined;
  caseId?: string | undefined;
  cause: string;
  periodStart: number;
  periodEnd: number;
  volume: number;
  status: AdjustmentStatus;
  basis: SupplementaryProposal;
  actor: string;
  note?: string | undefined;
}

const str = (v: string | undefined | null) => (v === undefined || v === null || v === '' ? 'NULL' : sqlString(v));

function toAdjustment(r: Row): Adjustment {
  return {
    id: String(r.id),
    ts: Number(r.ts),
    meterId: String(r.meter_id),
    customerId: typeof r.customer_id === 'string' ? r.customer_id : undefined,
    caseId: typeof r.case_id === 'string' ? r.case_id : undefined,
    cause: String(r.cause),
    periodStart: Number(r.period_start),
    periodEnd: Number(r.period_end),
    volume: Number(r.volume),
    status: String(r.status) as AdjustmentStatus,
    basis: JSON.parse(String(r.basis ?? '{}')) as SupplementaryProposal,
    actor: String(r.actor ?? ''),
    note: typeof r.note === 'string' ? r.note : undefined,
  };
}

export class AdjustmentsRepo {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly sql: SqlClient) {}

  propose(p: Omit<Adjustment, 'id' | 'status'>): Promise<Adjustment> {
    return this.serial(async () => {
      const a: Adjustment = { ...p, id: `ADJ-${randomUUID()}`, status: 'proposed' };
      await this.write(a);
      return a;
    });
  }

  /** A manager's decision on a proposal; only a proposal still `proposed` can be decided. */
  decide(id: string, status: 'approved' | 'rejected', actor: string, note: string | undefined, at: number = Date.now()): Promise<Adjustment> {
    return this.serial(async () => {
      const current = await this.get(id);
      if (!current) throw new MeterwatchError(ErrorCodes.NOT_FOUND, `no adjustment ${id}`, { details: { id } });
      if (current.status !== 'proposed') {
        throw new MeterwatchError(ErrorCodes.ILLEGAL_TRANSITION, `adjustment ${id} is ${current.status}: it can no longer be approved or rejected`, {
          details: { state: current.status, action: status === 'approved' ? 'approve' : 'reject', allowed: [] },
        });
      }
      const next: Adjustment = { ...current, ts: Math.max(at, current.ts + 1), status, actor, note };
      await this.write(next);
      return next;
    });
  }

  async get(id: string): Promise<Adjustment | undefined> {
    const rows = await this.sql.query(`SELECT * FROM adjustments WHERE id = ${sqlString(id)} LATEST ON ts PARTITION BY id`);
    return rows[0] ? toAdjustment(rows[0]) : undefined;
  }

  /** Every status row of a proposal, oldest first (who proposed, who decided, when). */
  async trail(id: string): Promise<Adjustment[]> {
    return (await this.sql.query(`SELECT * FROM adjustments WHERE id = ${sqlString(id)} ORDER BY ts`)).map(toAdjustment);
  }

  async list(filter: { meterId?: string | undefined; caseId?: string | undefined; status?: AdjustmentStatus | undefined }): Promise<Adjustment[]> {
    const rows = await this.sql.query(`SELECT * FROM adjustments LATEST ON ts PARTITION BY id`);
    return rows
      .map(toAdjustment)
      .filter((a) => (!filter.meterId || a.meterId === filter.meterId) && (!filter.caseId || a.caseId === filter.caseId) && (!filter.status || a.status === filter.status))
      .sort((a, b) => a.periodStart - b.periodStart);
  }

  /**
   * Approved supplementary volume of a meter as (from, to, volume) parts, one per affected
   * month part — what `GET /api/meters/{id}/usage?adjusted=true` adds on top of raw usage.
   */
  async approvedParts(meterId: string): Promise<AdjustmentPart[]> {
    return (await this.list({ meterId, status: 'approved' })).flatMap((a) => (a.basis.rows ?? []).map((r) => ({ from: r.from, to: r.to, volume: r.supplementary, adjustmentId: a.id })));
  }

  private async write(a: Adjustment): Promise<void> {
    await this.sql.exec(
      `INSERT INTO adjustments (ts, id, meter_id, customer_id, case_id, cause, period_start, period_end, volume, status, basis, actor, note) VALUES (${sqlTimestamp(a.ts)}, ${sqlString(a.id)}, ${sqlString(a.meterId)}, ${str(a.customerId)}, ${str(a.caseId)}, ${sqlString(a.cause)}, ${sqlTimestamp(a.periodStart)}, ${sqlTimestamp(a.periodEnd)}, ${a.volume}, ${sqlString(a.status)}, ${sqlString(JSON.stringify(a.basis))}, ${sqlString(a.actor)}, ${str(a.note)})`,
    );
    await waitForWalApplied(this.sql, 'adjustments', 60_000);
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(work);
    this.chain = run.catch(() => undefined);
    return run;
  }
}

export interface AdjustmentPart {
  from: number;
  to: number;
  volume: number;
  adjustmentId: string;
}

/** Volume of the parts falling in [from, to), spread evenly over each part's time. */
export function volumeIn(parts: readonly AdjustmentPart[], from: number, to: number): number {
  let sum = 0;
  for (const p of parts) {
    const overlap = Math.min(to, p.to) - Math.max(from, p.from);
    if (overlap > 0 && p.to > p.from) sum += (p.volume * overlap) / (p.to - p.from);
  }
  return sum;
}
