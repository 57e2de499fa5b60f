import type { Logger } from '../../core/logger.ts';
import { sqlString, sqlTimestamp, type SqlClient } from '../../storage/sql.ts';

/** One write request as the audit log keeps it (table `audit_log`, migration 001). */
export interface AuditEntry {
  ts: number;
  actor: string;
  role: string;
  method: string;
  path: string;
  status: number;
  body: string;
}

const MAX_BODY = 4000;

/** The body as text for the log: JSON up to 4000 characters, a byte count for uploads. */
export function auditBody(body: unknown): string {
  if (body === undefined || body === null) return '';
  if (Buffer.isBuffer(body)) return `<${body.length} bytes>`;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return text.length > MAX_BODY ? `${text.slice(0, MAX_BODY)}…(${text.length} characters)` : text;
}

export class AuditLog {
  constructor(
    private readonly sql: SqlClient,
    private readonly log: Logger,
  ) {}

  async record(e: AuditEntry): Promise<void> {
    try {
      await this.sql.exec(
        `INSERT INTO audit_log (ts, actor, role, method, path, status, body) VALUES (${sqlTimestamp(e.ts)}, ${sqlString(e.actor)}, ${sqlString(e.role)}, ${sqlString(e.method)}, ${sqlString(e.path)}, ${e.status}, ${sqlString(e.body)})`,
      );
    } catch (err) {
      // The request has been answered; a lost audit row must at least reach the log.
      this.log.error({ err, audit: e }, 'audit log write failed');
    }
  }

  async query(filter: { from?: number | undefined; to?: number | undefined; actor?: string | undefined; limit: number }): Promise<AuditEntry[]> {
    const where: string[] = [];
    if (filter.from !== undefined) where.push(`ts >= ${sqlTimestamp(filter.from)}`);
    if (filter.to !== undefined) where.push(`ts < ${sqlTimestamp(filter.to)}`);
    if (filter.actor) where.push(`actor = ${sqlString(filter.actor)}`);
    const rows = await this.sql.query(`SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ts DESC LIMIT ${Math.trunc(filter.limit)}`);
    return rows.map((r) => ({ ts: Number(r.ts), actor: String(r.actor), role: String(r.role), method: String(r.method), path: String(r.path), status: Number(r.status), body: String(r.body ?? '') }));
  }
}
