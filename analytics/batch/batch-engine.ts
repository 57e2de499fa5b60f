import type { Logger } from '../../core/logger.ts';
import type { RuleId } from '../../core/types.ts';
import type { SqlClient } from '../../storage/sql.ts';
import { waitForWalApplied } from '../../storage/wal-visibility.ts';
import type { AlertCandidate } from '../alerts/alert-candidate.ts';
import type { AlertSink, SubmitResult } from '../alerts/alert-sink.ts';
import { brokenMeter } from '../rules/broken-meter.ts';
import { bulkBalance } from '../rules/bulk-balance.ts';
import { bulkDrop } from '../rules/bulk-drop.ts';
import type { BatchContext, MeterInfo, RuleConfig } from '../rules/context.ts';
import { deadMeter } from '../rules/dead-meter.ts';
import { icVerificationDue } from '../rules/ic-verification-due.ts';
import { parseFlags, type ReadingInterval } from '../rules/interval.ts';
import { largeFlow, scoreAgainstOwnPeaks } from '../rules/large-flow.ts';
import { residentialHigh } from '../rules/residential-high.ts';
import { stuckMeter } from '../rules/stuck-meter.ts';
import { tamperFlags } from '../rules/tamper.ts';
import { tamperChangePoint } from '../rules/tamper-change-point.ts';
import { usageWhileInactive } from '../rules/usage-while-inactive.ts';
import { yoyDeviation } from '../rules/yoy-deviation.ts';
import { loadBatchContext, readsOften } from './load-context.ts';
import { intervalsFromPoints } from './intervals-from-points.ts';
import { fleetSeasonalShape, fleetYoyIndex } from '../rules/seasonal.ts';
import { flaggedReads, notedReads, registryAsOf, replacedBetween, replacementIndex, replacementsUpTo, suspiciousIntervals, type IntervalRow, type NoteRow, type RegistryRow } from './queries.ts';
import { damageMatcher, reportedDamage } from '../rules/reported-damage.ts';
import { qmaxForSpec } from '../../core/gsize.ts';

export interface RunSummary extends SubmitResult {
  asOf: number;
  durationMs: number;
  /** where the time went: waiting for the WAL, loading the context, the period rules (their alerts are written meanwhile), what was left of reading the intervals (read alongside the context), the last writes and waiting until every alert is readable */
  phasesMs: Record<'wal' | 'context' | 'intervals' | 'rules' | 'store', number>;
  meters: number;
  candidates: Partial<Record<RuleId, number>>;
}

/** The category's seasonal shape for change points (rules/tamper-change-point.ts): a veto on year-over-year boxes, and the reference for customers without a year of history. */
const FLEET_SHAPE_CHANGE_POINTS = true;

const PERIOD_RULES = [residentialHigh, yoyDeviation, bulkDrop, bulkBalance, deadMeter, stuckMeter, usageWhileInactive, icVerificationDue, tamperChangePoint];

/** The reading rules over every suspicious interval up to asOf; large_flow keeps the month's peak. */
export function intervalCandidates(rows: readonly IntervalRow[], ctx: BatchContext, replacements: ReadonlyMap<string, readonly number[]> = new Map()): AlertCandidate[] {
  const out: AlertCandidate[] = [];
  const peak = new Map<string, AlertCandidate>();
  for (const r of rows) {
    // A recorded replacement restarts the register: not a backwards run, not a jump.
    if (r.prev_ts !== null && replacedBetween(replacements, r.meter_id, r.prev_ts, r.ts)) continue;
    const info: MeterInfo = ctx.meters.get(r.meter_id)?.info ?? { meterId: r.meter_id, blacklisted: false, qmax: r.qmax ?? undefined };
    const i: ReadingInterval = {
      meter: info,
      prev: r.prev_ts !== null && r.prev_reading !== null ? { ts: r.prev_ts, reading: r.prev_reading } : undefined,
      cur: { ts: r.ts, reading: r.reading, flow: r.flow ?? undefined, flags: parseFlags(r.flags) },
    };
    const broken = brokenMeter(i, ctx.zone);
    if (broken) out.push(broken);
    const tamper = tamperFlags(i, ctx.zone);
    if (tamper) out.push(tamper);
    const flow = largeFlow(i, ctx.cfg, ctx.zone);
    // A calendar-month rule: the batch judges months that ended by asOf; the month in
    // progress is the stream's (it raises the alert live as the flow is seen).
    if (flow && flow.periodEnd <= ctx.asOf) {
      const key = `${flow.meterId}|${flow.periodStart}`;
      const seen = peak.get(key);
      if (!seen || flow.value > seen.value) peak.set(key, flow);
    }
  }
  const byMeter = new Map<string, AlertCandidate[]>();
  for (const c of peak.values()) {
    const list = byMeter.get(c.meterId);
    if (list) list.push(c);
    else byMeter.set(c.meterId, [c]);
  }
  for (const [meterId, list] of byMeter) scoreAgainstOwnPeaks(list, ctx.meters.get(meterId)?.monthPeakFlow);
  return [...out, ...peak.values()];
}

/** broken_meter from readers' notes that report damage (rules/reported-damage.ts). */
export function damageCandidates(rows: readonly NoteRow[], ctx: BatchContext): AlertCandidate[] {
  const matches = damageMatcher(ctx.cfg.damageWords);
  const out: AlertCandidate[] = [];
  for (const r of rows) {
    const meter: MeterInfo = ctx.meters.get(r.meter_id)?.info ?? { meterId: r.meter_id, blacklisted: false };
    const c = reportedDamage({ meter, ts: r.ts, reading: r.reading, note: r.note, estimated: r.estimated }, matches, ctx.zone);
    if (c) out.push(c);
  }
  return out;
}

/** The lowest rate (m³/h) any interval rule cares about: a large flow (blacklist-strict) or a flow above some meter's Qmax. */
export function intervalRateFloor(registry: readonly RegistryRow[], cfg: RuleConfig): number {
  // A loop, not a spread: 100k meters overflow the call stack.
  let floor = cfg.largeFlow * cfg.blacklistFactor;
  for (const r of registry) {
    const qmax = r.qmax ?? qmaxForSpec(r.spec);
    if (qmax !== undefined) floor = Math.min(floor, qmax * 1.2);
  }
  return floor;
}

/**
 * One batch pass (interface.md §2, POST /api/analytics/run): every period rule for every
 * period that ends by asOf, the state rules as of asOf, and the reading rules over all
 * reads before asOf (so back-filled history in any order is judged on event time).
 */
export async function runBatch(sql: SqlClient, sink: AlertSink, asOf: number, zone: string, cfg: RuleConfig, log: Logger, httpUrl?: string): Promise<RunSummary> {
  const started = Date.now();
  const phases = { wal: 0, context: 0, intervals: 0, rules: 0, store: 0 };
  let mark = started;
  const lap = (phase: keyof typeof phases) => {
    const now = Date.now();
    phases[phase] = now - mark;
    mark = now;
  };
  // Judge what was acknowledged before the run, not a half-applied back-fill.
  for (const table of ['readings', 'meter_registry', 'meter_replacements', 'blacklist_events', 'weather_daily']) {
    await waitForWalApplied(sql, table, 120_000).catch((err: unknown) => log.warn({ table, err }, 'running analytics before QuestDB applied every committed write'));
  }
  lap('wal');
  // The registry first (small): the suspicious-interval query, which runs alongside the
  // context, needs the lowest rate any interval rule cares about. (Started after the context
  // instead, a 10k-meter hourly fleet's pass took as long, with less of QuestDB's CPU;
  // benchmarks/README.md.) A fleet of handheld and IC meters has every read in its month
  // aggregates: its intervals are found in them (intervals-from-points.ts), and QuestDB is
  // asked for flagged reads only.
  const registry = await registryAsOf(sql, asOf);
  const rateFloor = intervalRateFloor(registry, cfg);
  const scan = readsOften(registry) ? suspiciousIntervals(sql, 0, asOf, rateFloor) : undefined;
  const flagged = scan ? undefined : flaggedReads(sql, asOf);
  const intervalRows = Promise.all([scan, flagged, replacementsUpTo(sql, asOf), notedReads(sql, asOf, cfg.damageWords)]);
  intervalRows.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
  const ctx = await loadBatchContext({ sql, httpUrl, timeoutMs: sql.statementTimeoutMs }, asOf, zone, cfg, registry);
  lap('context');
  ctx.fleetIndex = fleetYoyIndex(ctx);
  // The category's seasonal shape: a veto on early change points and the reference for
  // customers without a year of history (rules/tamper-change-point.ts).
  if (FLEET_SHAPE_CHANGE_POINTS) ctx.fleetShape = fleetSeasonalShape(ctx);
  // Rule by rule into the sink, which hands each rule's alert lines to a worker thread:
  // QuestDB takes them while the next rule runs here. One wait at the end until every
  // alert is readable (the caller of POST /api/analytics/run reads them next).
  const counts: Partial<Record<RuleId, number>> = {};
  const submitted: Promise<SubmitResult>[] = [];
  const submit = async (candidates: AlertCandidate[]) => {
    for (const c of candidates) counts[c.rule] = (counts[c.rule] ?? 0) + 1;
    const done = sink.submit(candidates, { visible: false });
    done.catch(() => undefined); // handled by Promise.all below; not an unhandled rejection meanwhile
    submitted.push(done);
    await new Promise((r) => setImmediate(r)); // the sink writes the lines out before the next rule
  };
  for (const rule of PERIOD_RULES) await submit(rule(ctx));
  lap('rules');
  const [scanned, flaggedRows, replaced, noted] = await intervalRows;
  const fromPoints = scanned === undefined && ctx.everyRead && flaggedRows ? intervalsFromPoints(ctx.meters, flaggedRows, asOf, rateFloor) : undefined;
  const intervals = scanned ?? fromPoints ?? (await suspiciousIntervals(sql, 0, asOf, rateFloor));
  lap('intervals');
  await submit(intervalCandidates(intervals, ctx, replacementIndex(replaced)));
  await submit(damageCandidates(noted, ctx));
  const results = await Promise.all(submitted);
  await sink.waitVisible();
  const result: SubmitResult = { raised: 0, updated: 0, unchanged: 0 };
  for (const r of results) {
    result.raised += r.raised;
    result.updated += r.updated;
    result.unchanged += r.unchanged;
  }
  lap('store');
  const summary: RunSummary = { asOf, durationMs: Date.now() - started, phasesMs: phases, meters: ctx.meters.size, candidates: counts, ...result };
  log.info(summary, 'batch analytics pass');
  return summary;
}
