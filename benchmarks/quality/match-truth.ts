import { DateTime } from 'luxon';

/** An alert as GET /api/alerts returns it (interface.md §3). */
export interface AlertOut {
  id: string;
  meterId: string;
  rule: string;
  periodStart: string;
  periodEnd: string;
  score: number;
}

/** An `expected_alert` line of the simulator's ground truth (simulators/README.md). */
export interface ExpectedAlert {
  kind: 'expected_alert';
  meterId: string;
  rule: string;
  periodStart: string;
  period?: string | null;
  cause?: string;
  parameters?: { evidence?: string } & Record<string, unknown>;
}

const MONTHLY = new Set(['residential_high', 'yoy_deviation', 'large_flow', 'bulk_balance', 'bulk_drop']);
const DAILY = new Set(['broken_meter', 'tamper']);
/** State rules date "first evidence" differently by meter kind (a mechanical meter's last read can be a month before the fault). */
const STATE_TOLERANCE_MS = 45 * 86_400_000;

export interface RuleQuality {
  alerts: number;
  expected: number;
  truePositives: number;
  precision: number | null;
  recall: number | null;
}

function key(meterId: string, rule: string, periodStart: string, zone: string, stateLike = false): string {
  const t = DateTime.fromISO(periodStart, { setZone: true }).setZone(zone);
  if (stateLike) return `${meterId}|${rule}`;
  if (MONTHLY.has(rule)) return `${meterId}|${rule}|${t.toFormat('yyyy-LL')}`;
  if (DAILY.has(rule)) return `${meterId}|${rule}|${t.toFormat('yyyy-LL-dd')}`;
  return `${meterId}|${rule}`;
}

/** A tampering change point is dated like a state fault (first evidence), not by a day's flags. */
const isChangePoint = (e: ExpectedAlert) => e.rule === 'tamper' && e.parameters?.evidence === 'change_point';

/**
 * Precision and recall per rule: monthly rules match on (meter, rule, month), reading rules
 * on (meter, rule, day), state rules on (meter, rule) with first evidence within 45 days.
 * Each expected alert and each raised alert counts at most once.
 */
export function matchTruth(alerts: readonly AlertOut[], expected: readonly ExpectedAlert[], zone: string): Record<string, RuleQuality> {
  const out: Record<string, RuleQuality> = {};
  const q = (rule: string) => (out[rule] ??= { alerts: 0, expected: 0, truePositives: 0, precision: null, recall: null });
  const pending = new Map<string, ExpectedAlert[]>();
  for (const e of expected) {
    q(e.rule).expected++;
    const k = key(e.meterId, e.rule, e.periodStart, zone, isChangePoint(e));
    pending.set(k, [...(pending.get(k) ?? []), e]);
  }
  for (const a of alerts) {
    q(a.rule).alerts++;
    let stateLike = !MONTHLY.has(a.rule) && !DAILY.has(a.rule);
    let list = pending.get(key(a.meterId, a.rule, a.periodStart, zone));
    if ((!list || list.length === 0) && a.rule === 'tamper') {
      list = pending.get(key(a.meterId, a.rule, a.periodStart, zone, true));
      stateLike = true;
    }
    if (!list || list.length === 0) continue;
    let i = 0;
    if (stateLike) {
      const t = Date.parse(a.periodStart);
      i = list.findIndex((e) => Math.abs(Date.parse(e.periodStart) - t) <= STATE_TOLERANCE_MS);
      if (i < 0) continue;
    }
    list.splice(i, 1);
    q(a.rule).truePositives++;
  }
  for (const v of Object.values(out)) {
    v.precision = v.alerts > 0 ? Math.round((v.truePositives / v.alerts) * 1000) / 1000 : null;
    v.recall = v.expected > 0 ? Math.round((v.truePositives / v.expected) * 1000) / 1000 : null;
  }
  return out;
}
