import { ALERT_STATUSES, RULE_IDS, SEVERITIES } from '../../core/types.ts';
import { MeterwatchError, ErrorCodes } from '../../core/errors.ts';
import { isValidId } from '../../core/ids.ts';
import { parseTimestamp } from '../../core/time.ts';
import { sqlString, sqlTimestamp, type SqlClient } from '../../storage/sql.ts';
import { ALERT_COLUMNS, rowToAlert, type AlertRow, type StoredAlert } from './alert-rows.ts';

export type AlertSort = 'raisedAt' | 'score' | 'periodStart';

export interface AlertQuery {
  rule?: string | undefined;
  meterId?: string | undefined;
  district?: string | undefined;
  route?: string | undefined;
  status?: string | undefined;
  severity?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
  limit: number;
  sort: AlertSort;
  cursor?: { v: number; id: string } | undefined;
}

const SORT_COLUMN: Record<AlertSort, string> = { raisedAt: 'raised_at', score: 'score', periodStart: 'period_start' };

function bad(field: string, value: unknown, why: string): never {
  throw new MeterwatchError(ErrorCodes.VALIDATION, `${field}: ${why} (got ${JSON.stringify(value)})`, { details: { field, value } });
}

/** Reads and checks the query string of GET /api/alerts; errors name the parameter and value. */
export function parseAlertQuery(q: Record<string, string | undefined>): AlertQuery {
  const list = (field: string, allowed: readonly string[]) => {
    const v = q[field];
    if (v === undefined || v === '') return undefined;
    for (const part of v.split(',')) if (!allowed.includes(part)) bad(field, v, `must be one of ${allowed.join(', ')}`);
    return v;
  };
  const time = (field: string) => {
    const v = q[field];
    if (v === undefined || v === '') return undefined;
    const t = parseTimestamp(/^\d+$/.test(v) ? Number(v) : v);
    if (t === undefined) bad(field, v, 'must be an ISO 8601 timestamp with offset or epoch milliseconds');
    return t;
  };
  const id = (field: string) => {
    const v = q[field];
    if (v === undefined || v === '') return undefined;
    if (!isValidId(v)) bad(field, v, 'must be 1–64 letters, digits, - _ .');
    return v;
  };
  const limitText = q.limit ?? '1000';
  const limit = Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) bad('limit', limitText, 'must be an integer from 1 to 100000');
  const sort = (q.sort ?? 'raisedAt') as AlertSort;
  if (!(sort in SORT_COLUMN)) bad('sort', q.sort, 'must be raisedAt, score or periodStart');
  let cursor: AlertQuery['cursor'];
  if (q.cursor) {
    try {
      cursor = JSON.parse(Buffer.from(q.cursor, 'base64url').toString('utf8')) as AlertQuery['cursor'];
      if (typeof cursor?.v !== 'number' || typeof cursor.id !== 'string') throw new Error('shape');
    } catch {
      bad('cursor', q.cursor, 'is not a cursor this API gave out');
    }
  }
  return {
    rule: list('rule', RULE_IDS),
    status: list('status', ALERT_STATUSES),
    severity: list('severity', SEVERITIES),
    meterId: id('meterId'),
    district: q.district || undefined,
    route: q.route || undefined,
    from: time('from'),
    to: time('to'),
    limit,
    sort,
    cursor,
  };
}

const inList = (col: string, csv: string) => `${col} IN (${csv.split(',').map(sqlString).join(', ')})`;

/** One page of alerts, newest (or highest score) first, with the cursor of the next page. */
export async function queryAlerts(sql: SqlClient, q: AlertQuery): Promise<{ items: StoredAlert[]; next?: string }> {
  const where: string[] = [];
  if (q.rule) where.push(inList('rule', q.rule));
  if (q.status) where.push(inList('status', q.status));
  if (q.severity) where.push(inList('severity', q.severity));
  if (q.meterId) where.push(`meter_id = ${sqlString(q.meterId)}`);
  if (q.district) where.push(inList('district', q.district));
  if (q.route) where.push(inList('route', q.route));
  // Alerts whose period overlaps [from, to) (interface.md §2).
  if (q.to !== undefined) where.push(`period_start < ${sqlTimestamp(q.to)}`);
  if (q.from !== undefined) where.push(`period_end > ${sqlTimestamp(q.from)}`);
  const col = SORT_COLUMN[q.sort];
  const value = (a: StoredAlert) => (q.sort === 'score' ? a.score : q.sort === 'periodStart' ? a.periodStart : a.raisedAt);
  if (q.cursor) {
    const v = q.sort === 'score' ? String(q.cursor.v) : sqlTimestamp(q.cursor.v);
    where.push(`(${col} < ${v} OR (${col} = ${v} AND id > ${sqlString(q.cursor.id)}))`);
  }
  const text = `SELECT ${ALERT_COLUMNS} FROM alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${col} DESC, id ASC LIMIT ${q.limit + 1}`;
  const rows = await sql.query<AlertRow>(text);
  const items = rows.slice(0, q.limit).map(rowToAlert);
  if (rows.length <= q.limit) return { items };
  const last = items[items.length - 1]!;
  return { items, next: Buffer.from(JSON.stringify({ v: value(last), id: last.id })).toString('base64url') };
}
