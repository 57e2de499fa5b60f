import type { AlertCandidate } from '../alerts/alert-candidate.ts';
import { clampScore, round } from '../stats.ts';
import { candidate, type BatchContext, type MeterSeries, type RuleConfig } from './context.ts';

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
    const since = s.latest?.ts ?? s.info.activatedAt;
    if (since === undefined || since > ctx.asOf) continue;
    if (s.latest === undefined && s.info.activatedAt === undefined) continue;
    const silence = ctx.asOf - since;
    if (silence <= cadence) continue;
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
