import type { AlertCandidate } from '../alerts/alert-candidate.ts';
import { candidate } from './context.ts';
import { dayPeriod, type ReadingInterval } from './interval.ts';

const TAMPER_FLAGS: Record<string, number> = { tamper: 8, magnet: 8, reverse_flow: 7 };

/** tamper (interface.md §3): the meter itself reports tamper, magnet or reverse flow. Period: the day. */
export function tamperFlags(i: ReadingInterval, zone: string): AlertCandidate | undefined {
  const flags = (i.cur.flags ?? []).filter((f) => f in TAMPER_FLAGS);
  if (flags.length === 0) return undefined;
  const score = Math.max(...flags.map((f) => TAMPER_FLAGS[f]!));
  return candidate(i.meter, 'tamper', {
    severity: 'critical',
    ...dayPeriod(i.cur.ts, zone),
    value: flags.length,
    threshold: 1,
    score,
    message: `meter reported ${flags.join(', ')}`,
    evidence: { at: i.cur.ts, flags, reading: i.cur.reading },
  });
}
