import type { RejectedRecord } from '../core/types.ts';
import { sqlString, sqlTimestamp, type SqlClient } from './sql.ts';

/** Filters of GET /api/ingest/rejected (interface.md §2). Times are epoch ms. */
export interface RejectedQuery {
  source?: 'mqtt' | 'http' | undefined;
  meterId?: string | undefined;
  field?: string | undefined;
  topic?: string | undefined;
  endpoint?: string | undefined;
  clientId?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
  limit: number;
  cursor?: string | undefined;
}

export interface RejectedPage {
  items: (RejectedRecord & { id: string })[];
  next?: string | undefined;
}

interface Row extends Record<string, unknown> {
  received_at: number;
  id: string;
  source: 'mqtt' | 'http';
  topic: string | null;
  endpoint: string | null;
  client_id: string | null;
  meter_id: string | null;
  reason: string;
  field: string | null;
  value: string | null;
  raw: string | null;
}

/** The cursor is the last item's (receivedAt, id): newest first, stable under inserts. */
export function encodeCursor(receivedAt: number, id: string): string {
  return Buffer.from(JSON.stringify([receivedAt, id])).toString('base64url');
}

export function decodeCursor(cursor: string): { receivedAt: number; id: string } | undefined {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && typeof v[0] === 'number' && Number.isInteger(v[0]) && typeof v[1] === 'string') return { receivedAt: v[0], id: v[1] };
  } catch {
    // fall through
  }
  return undefined;
}

/** Reads `rejected_records` (migration 001), newest first, paged by cursor. */
export async function queryRejected(sql: SqlClient, q: RejectedQuery, cursor?: { receivedAt: number; id: string }): Promise<RejectedPage> {
  const where: string[] = [];
  const eq = (column: string, value: string | undefined) => {
    if (value !== undefined) where.push(`${column} = ${sqlString(value)}`);
  };
  eq('source', q.source);
  eq('meter_id', q.meterId);
  eq('field', q.field);
  eq('topic', q.topic);
  eq('endpoint', q.endpoint);
  eq('client_id', q.clientId);
  if (q.from !== undefined) where.push(`received_at >= ${sqlTimestamp(q.from)}`);
  if (q.to !== undefined) where.push(`received_at < ${sqlTimestamp(q.to)}`);
  if (cursor) {
    where.push(`(received_at < ${sqlTimestamp(cursor.receivedAt)} OR (received_at = ${sqlTimestamp(cursor.receivedAt)} AND id < ${sqlString(cursor.id)}))`);
  }
  const text = `SELECT received_at, id, source, topic, endpoint, client_id, meter_id, reason, field, value, raw FROM rejected_records${
    where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''
  } ORDER BY received_at DESC, id DESC LIMIT ${q.limit + 1}`;
  const rows = await sql.query<Row>(text);
  const page = rows.slice(0, q.limit);
  const items = page.map((r) => ({
    id: r.id,
    receivedAt: r.received_at,
    source: r.source,
    topic: r.topic ?? undefined,
    endpoint: r.endpoint ?? undefined,
    clientId: r.client_id ?? undefined,
    meterId: r.meter_id ?? undefined,
    reason: r.reason,
    field: r.field ?? undefined,
    value: r.value ?? undefined,
    raw: r.raw ?? '',
  }));
  const last = items[items.length - 1];
  return { items, next: rows.length > q.limit && last ? encodeCursor(last.receivedAt, last.id) : undefined };
}
