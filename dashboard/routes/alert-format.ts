import type { StoredAlert } from '../../analytics/alerts/alert-rows.ts';
import { alertJson } from '../../analytics/alerts/alert-json.ts';

export { alertJson };

const CSV_COLUMNS = ['id', 'raisedAt', 'meterId', 'customerId', 'district', 'route', 'rule', 'severity', 'periodStart', 'periodEnd', 'value', 'threshold', 'score', 'status', 'message'] as const;

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** CSV with a UTF-8 BOM so Excel shows Chinese text (issue: dashboard, item 2). */
export function alertsCsv(alerts: readonly StoredAlert[], zone: string): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const a of alerts) {
    const j = alertJson(a, zone);
    lines.push(CSV_COLUMNS.map((c) => csvCell(j[c])).join(','));
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
