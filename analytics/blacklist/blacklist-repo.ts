import { randomUUID } from 'node:crypto';
import { ErrorCodes, MeterwatchError } from '../../core/errors.ts';
import { sqlString, sqlTimestamp, type Row, type SqlClient } from '../../storage/sql.ts';
import { waitForWalApplied } from '../../storage/wal-visibility.ts';
import type { BlacklistReason } from '../ledger/case-machine.ts';

/**
 * The blacklist (黑名单, domain.md §4, §5) as events in `blacklist_events` (001): the newest
 * event per customer says whether it is on the list (`add`) or not (`remove`) — the contract
 * analytics/batch/blacklist.ts reads. Monitoring notices to the area reader go to
 * `blacklist_notices` (040). Writes wait for the WAL so the next read sees them.
 */
export interface BlacklistEvent {
  ts: number;
  customerId: string;
  meterId?: string | undefined;
  action: 'add' | 'remove';
  reason?: string | undefined;
  evidence?: string | undefined;
  caseId?: string | undefined;
  actor: string;
  note?: string | undefined;
}

export interface Notice {
  noticeId: string;
  ts: number;
  customerId: string;
  meterId?: string | undefined;
  customerName?: string | undefined;
  address?: string | undefined;
  district?: string | undefined;
  route?: string | undefined;
  readerId?: string | undefined;
  caseId?: string | undefined;
  reason: string;
  message: string;
  issuedBy: string;
}

const str = (v: string | undefined | null) => (v === undefined || v === null || v === '' ? 'NULL' : sqlString(v));
const opt = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

function toEvent(r: Row): BlacklistEvent {
  return {
    ts: Number(r.ts),
    customerId: String(r.customer_id),
    meterId: opt(r.meter_id),
    action: r.action === 'remove' ? 'remove' : 'add',
    reason: opt(r.reason),
    evidence: opt(r.evidence),
    caseId: opt(r.case_id),
    actor: String(r.actor ?? ''),
    note: opt(r.note),
  };
}

function toNotice(r: Row): Notice {
  return {
    noticeId: String(r.notice_id),
    ts: Number(r.ts),
    customerId: String(r.customer_id),
    meterId: opt(r.meter_id),
    customerName: opt(r.customer_name),
    address: opt(r.address),
    district: opt(r.district),
    route: opt(r.route),
    readerId: opt(r.reader_id),
    caseId: opt(r.case_id),
    reason: String(r.reason ?? ''),
    message: String(r.message ?? ''),
    issuedBy: String(r.issued_by ?? ''),
  };
}

export class BlacklistRepo {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly sql: SqlClient) {}

  /** Current entries: customers whose newest event is `add`. */
  async current(asOf: number = Date.now()): Promise<BlacklistEvent[]> {
    const rows = await this.sql.query(`SELECT * FROM blacklist_events WHERE ts <= ${sqlTimestamp(asOf)} LATEST ON ts PARTITION BY customer_id`);
    return rows.map(toEvent).filter((e) => e.action === 'add');
  }

  async entry(customerId: string): Promise<BlacklistEvent | undefined> {
    const rows = await this.sql.query(`SELECT * FROM blacklist_events WHERE customer_id = ${sqlString(customerId)} ORDER BY ts DESC LIMIT 1`);
    const e = rows[0] ? toEvent(rows[0]) : undefined;
    return e?.action === 'add' ? e : undefined;
  }

  async history(customerId: string): Promise<BlacklistEvent[]> {
    return (await this.sql.query(`SELECT * FROM blacklist_events WHERE customer_id = ${sqlString(customerId)} ORDER BY ts`)).map(toEvent);
  }

  /** Puts a customer on the list (a violation, or a manager's decision for malicious arrears). */
  add(e: Omit<BlacklistEvent, 'action'> & { reason: BlacklistReason }): Promise<BlacklistEvent> {
    return this.serial(async () => {
      const event: BlacklistEvent = { ...e, action: 'add' };
      await this.write(event);
      return event;
    });
  }

  /** Takes a customer off the list; refused when it is not on it (domain.md §4: removal by a manager, with a reason). */
  remove(customerId: string, actor: string, why: string, at: number = Date.now()): Promise<BlacklistEvent> {
    return this.serial(async () => {
      const entry = await this.entry(customerId);
      if (!entry) throw new MeterwatchError(ErrorCodes.NOT_FOUND, `customer ${customerId} is not on the blacklist`, { details: { customerId } });
      const event: BlacklistEvent = { ts: Math.max(at, entry.ts + 1), customerId, meterId: entry.meterId, action: 'remove', reason: entry.reason, caseId: entry.caseId, actor, note: why };
      await this.write(event);
      return event;
    });
  }

  async issueNotice(n: Omit<Notice, 'noticeId'>): Promise<Notice> {
    const notice: Notice = { ...n, noticeId: randomUUID() };
    await this.sql.exec(
      `INSERT INTO blacklist_notices (ts, notice_id, customer_id, meter_id, customer_name, address, district, route, reader_id, case_id, reason, message, issued_by) VALUES (${sqlTimestamp(notice.ts)}, ${sqlString(notice.noticeId)}, ${sqlString(notice.customerId)}, ${str(notice.meterId)}, ${str(notice.customerName)}, ${str(notice.address)}, ${str(notice.district)}, ${str(notice.route)}, ${str(notice.readerId)}, ${str(notice.caseId)}, ${sqlString(notice.reason)}, ${sqlString(notice.message)}, ${sqlString(notice.issuedBy)})`,
    );
    await waitForWalApplied(this.sql, 'blacklist_notices', 60_000);
    return notice;
  }

  async notices(filter: { district?: string | undefined; route?: string | undefined; readerId?: string | undefined; customerId?: string | undefined }): Promise<Notice[]> {
    const where: string[] = [];
    if (filter.district) where.push(`district = ${sqlString(filter.district)}`);
    if (filter.route) where.push(`route = ${sqlString(filter.route)}`);
    if (filter.readerId) where.push(`reader_id = ${sqlString(filter.readerId)}`);
    if (filter.customerId) where.push(`customer_id = ${sqlString(filter.customerId)}`);
    const rows = await this.sql.query(`SELECT * FROM blacklist_notices ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ts`);
    return rows.map(toNotice);
  }

  /** The area reader of a meter: whoever read it last on a handheld route (domain.md §1 片区管理员). */
  async areaReader(meterId: string): Promise<{ readerId?: string | undefined; route?: string | undefined }> {
    const rows = await this.sql.query(
      `SELECT reader_id, route FROM readings WHERE meter_id = ${sqlString(meterId)} AND reader_id IS NOT NULL ORDER BY ts DESC LIMIT 1`,
    );
    return { readerId: opt(rows[0]?.reader_id), route: opt(rows[0]?.route) };
  }

  private async write(e: BlacklistEvent): Promise<void> {
    await this.sql.exec(
      `INSERT INTO blacklist_events (ts, customer_id, meter_id, action, reason, evidence, case_id, actor, note) VALUES (${sqlTimestamp(e.ts)}, ${sqlString(e.customerId)}, ${str(e.meterId)}, ${sqlString(e.action)}, ${str(e.reason)}, ${str(e.evidence)}, ${str(e.caseId)}, ${sqlString(e.actor)}, ${str(e.note)})`,
    );
    await waitForWalApplied(this.sql, 'blacklist_events', 60_000);
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(work);
    this.chain = run.catch(() => undefined);
    return run;
  }
}
