/**
 * CSV with a UTF-8 BOM so Excel shows Chinese text (inspection lists, KPIs, blacklist,
 * weather, alerts, visits): RFC 4180 quoting, CRLF line ends, objects as JSON.
 */
export function csvWithBom(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const cell = (v: unknown) => {
    if (v === null || v === undefined) return '';
    const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return `\uFEFF${[columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\r\n')}\r\n`;
}
