import type { AlertCandidate } from '../alerts/alert-candidate.ts';
import { clampScore, round } from '../stats.ts';
import { candidate, thresholdFor, type BatchContext, type MeterSeries, type RuleConfig } from './context.ts';
import { expectedUsage } from './stuck-meter.ts';

const DAY = 86_400_000;

export function cadenceMs(s: MeterSeries, cfg: RuleConfig): number {
  switch (s.info.kind) {
    case 'smart':
      return cfg.deadSmart;
    case 'ic':
      return cfg.deadIc;
    default:
      return cfg.deadMechanical;
  }
}

/**
 * dead_meter (interface.md §3): an active meter silent longer than its kind allows (smart
 * 3 days, IC 7, mechanical 40 without a read). Non-active statuses expect silence and are
 * skipped (domain.md §2). The alert runs from the last read (first evidence) to the run.
 */
export function deadMeter(ctx: BatchContext): AlertCandidate[] {
  const out: AlertCandidate[] = [];
  for (const s of ctx.meters.values()) {
    if (s.info.status !== 'active' || s.info.category === 'supply') continue;
    const cadence = cadenceMs(s, ctx.cfg);
    // Newly activated meters get one cadence before silence counts.
    const since = s.lastContact ?? s.latest?.ts ?? s.info.activatedAt;
    if (since === undefined || since > ctx.asOf) continue;
    const silence = ctx.asOf - since;
    if (silence <= cadence) {
      const noUsage = noUsageForMonths(s, ctx);
      if (noUsage) out.push(noUsage);
      continue;
    }
    out.push(
      candidate(s.info, 'dead_meter', {
        severity: 'warning',
        periodStart: since,
        periodEnd: ctx.asOf,
        value: round(silence / DAY, 2),
        threshold: round(cadence / DAY, 2),
        // Silence is hard evidence: score by how many allowed cadences have passed.
        score: clampScore(2 + silence / cadence),
        message: s.latest ? `no reading for ${round(silence / DAY, 1)} days (a ${s.info.kind ?? 'mechanical'} meter is dead after ${round(cadence / DAY, 1)})` : `no reading since activation ${round(silence / DAY, 1)} days ago`,
        evidence: { lastReadingAt: s.latest?.ts ?? null, lastReading: s.latest?.reading ?? null, kind: s.info.kind ?? null },
      }),
    );
  }
  return out;
}

/**
 * dead_meter, second clause (interface.md §3): the meter still reports, but has shown no
 * usage for months (MW_RULE_DEAD_NO_USAGE) where its own history expects use.
 */
function noUsageForMonths(s: MeterSeries, ctx: BatchContext): ReturnType<typeof candidate> | undefined {
  if (!s.latest || s.flatSince === undefined) return undefined;
  const flatFor = s.latest.ts - s.flatSince;
  if (flatFor < ctx.cfg.deadNoUsage) return undefined;
  const exp = expectedUsage(s, s.flatSince, s.latest.ts);
  if (!exp || exp.expected < thresholdFor(ctx.cfg.stuckMinExpected, s.info, ctx.cfg)) return undefined;
  return candidate(s.info, 'dead_meter', {
    severity: 'warning',
    periodStart: s.lastChange ?? s.flatSince,
    periodEnd: s.latest.ts,
    value: round(flatFor / DAY, 2),
    threshold: round(ctx.cfg.deadNoUsage / DAY, 2),
    score: clampScore(2 + flatFor / ctx.cfg.deadNoUsage),
    message: `no usage for ${round(flatFor / DAY, 1)} days while its own history expects ${round(exp.expected, 1)} m³`,
    evidence: { kind: 'no_usage', register: s.latest.reading, flatSince: s.flatSince, expectedUsage: round(exp.expected, 3), basis: exp.basis },
  });
}
