import { DateTime } from 'luxon';
import type { RuleId } from '../../core/types.ts';
import type { CaseAlertRef } from '../ledger/case-machine.ts';

/**
 * Supplementary volume (补量, domain.md §6): for a stuck, dead or broken meter from the day
 * the fault began, for tampering from the change point in the usage history (异动时间). For
 * each affected calendar month (the first and last pro-rated by the days affected) the
 * customer's highest usage in the same calendar month of the previous two years is taken
 * as what it would have used; the supplementary volume is that minus what the meter did
 * register over the same days (never below 0). The month table is kept as the evidence.
 */
export const SUPPLEMENTARY_CAUSES = ['stuck_meter', 'dead_meter', 'broken_meter', 'tamper'] as const;
export type SupplementaryCause = (typeof SUPPLEMENTARY_CAUSES)[number];

export function isSupplementaryCause(rule: RuleId): rule is SupplementaryCause {
  return (SUPPLEMENTARY_CAUSES as readonly string[]).includes(rule);
}

/** When the fault began: the change month of a change-point tamper alert, else the alert's period start (first evidence). */
export function faultStart(alert: CaseAlertRef): { at: number; source: string } {
  const ev = alert.evidence as { kind?: unknown; changeMonth?: unknown; flatSince?: unknown } | undefined;
  if (alert.rule === 'tamper' && ev?.kind === 'change_point' && typeof ev.changeMonth === 'number') return { at: ev.changeMonth, source: 'change point in the usage history (evidence.changeMonth)' };
  if (alert.rule === 'stuck_meter' && typeof ev?.flatSince === 'number') return { at: ev.flatSince, source: 'register flat since (evidence.flatSince)' };
  return { at: alert.periodStart, source: `first evidence of ${alert.rule} (alert periodStart)` };
}

export interface HistoryMonth {
  month: string;
  usage: number | null;
  coverage: number;
}

export interface SupplementaryRow {
  /** Affected calendar month `YYYY-MM`. */
  month: string;
  from: number;
  to: number;
  /** Share of the calendar month affected. */
  fraction: number;
  /** What the meter registered over [from, to), m³ (null: no reads cover it). */
  metered: number | null;
  /** The same calendar month one and two years earlier. */
  history: HistoryMonth[];
  /** Highest of those, m³ per whole month (null: no history). */
  highest: number | null;
  /** highest × fraction: the usage expected over the affected days. */
  expected: number | null;
  supplementary: number;
}

export interface SupplementaryProposal {
  cause: SupplementaryCause;
  alertId: string;
  faultStart: number;
  faultStartSource: string;
  to: number;
  rows: SupplementaryRow[];
  volume: number;
  monthsWithoutHistory: string[];
}

export interface SupplementaryInputs {
  alert: CaseAlertRef & { rule: SupplementaryCause };
  /** End of the affected time (the site visit that found the fault, or a date given by the analyst). */
  to: number;
  zone: string;
  /** Whole-month usage by month start (epoch ms) for the previous two years, from SQL month usage. */
  monthUsage: ReadonlyMap<number, { usage: number; coverage: number }>;
  /** Metered usage over [from, to) from the register (reference usage model). */
  meteredBetween: (from: number, to: number) => number | null;
  /** Only history months at least this well covered by reads count [0.9]. */
  minCoverage?: number;
}

const r3 = (v: number) => Math.round(v * 1000) / 1000;

export function affectedParts(from: number, to: number, zone: string): { month: string; monthStart: number; from: number; to: number; fraction: number }[] {
  const parts = [];
  let m = DateTime.fromMillis(from, { zone }).startOf('month');
  while (m.toMillis() < to) {
    const next = m.plus({ months: 1 });
    const a = Math.max(from, m.toMillis());
    const b = Math.min(to, next.toMillis());
    if (b > a) parts.push({ month: m.toFormat('yyyy-LL'), monthStart: m.toMillis(), from: a, to: b, fraction: (b - a) / (next.toMillis() - m.toMillis()) });
    m = next;
  }
  return parts;
}

export function supplementaryVolume(input: SupplementaryInputs): SupplementaryProposal {
  const start = faultStart(input.alert);
  const minCoverage = input.minCoverage ?? 0.9;
  const rows: SupplementaryRow[] = [];
  const missing: string[] = [];
  for (const part of affectedParts(start.at, input.to, input.zone)) {
    const history: HistoryMonth[] = [1, 2].map((years) => {
      const ms = DateTime.fromMillis(part.monthStart, { zone: input.zone }).minus({ years }).toMillis();
      const u = input.monthUsage.get(ms);
      return { month: DateTime.fromMillis(ms, { zone: input.zone }).toFormat('yyyy-LL'), usage: u ? r3(u.usage) : null, coverage: u ? r3(u.coverage) : 0 };
    });
    const usable = history.filter((h) => h.usage !== null && h.coverage >= minCoverage).map((h) => h.usage as number);
    const highest = usable.length > 0 ? Math.max(...usable) : null;
    const metered = input.meteredBetween(part.from, part.to);
    const expected = highest === null ? null : highest * part.fraction;
    if (highest === null) missing.push(part.month);
    const supplementary = expected === null ? 0 : Math.max(0, expected - (metered ?? 0));
    rows.push({ month: part.month, from: part.from, to: part.to, fraction: r3(part.fraction), metered: metered === null ? null : r3(metered), history, highest, expected: expected === null ? null : r3(expected), supplementary: r3(supplementary) });
  }
  return {
    cause: input.alert.rule,
    alertId: input.alert.alertId,
    faultStart: start.at,
    faultStartSource: start.source,
    to: input.to,
    rows,
    volume: r3(rows.reduce((s, r) => s + r.supplementary, 0)),
    monthsWithoutHistory: missing,
  };
}
