import type { AlertCandidate } from '../alerts/alert-candidate.ts';
import { candidate, type MeterInfo } from './context.ts';
import { dayPeriod } from './interval.ts';

/** A read whose note may report damage (a handheld reader's remark; usually with an estimate). */
export interface NotedRead {
  meter: MeterInfo;
  ts: number;
  reading: number;
  note: string;
  estimated: boolean;
}

/** The note's words, lower-cased, as one matcher (MW_RULE_DAMAGE_WORDS). */
export function damageMatcher(words: readonly string[]): (note: string) => string | undefined {
  const list = words.map((w) => w.toLowerCase()).filter((w) => w.length > 0);
  return (note) => {
    const text = note.toLowerCase();
    return list.find((w) => text.includes(w));
  };
}

/**
 * broken_meter, "or reports damage" (interface.md §3, domain.md §4 坏表): the reader found
 * the meter damaged and wrote so in the read's note. Period: the day of the read. Hard
 * evidence from a person on site: scored like a register that ran backwards.
 */
export function reportedDamage(r: NotedRead, matches: (note: string) => string | undefined, zone: string): AlertCandidate | undefined {
  const word = matches(r.note);
  if (word === undefined) return undefined;
  return candidate(r.meter, 'broken_meter', {
    severity: 'critical',
    ...dayPeriod(r.ts, zone),
    value: r.reading,
    threshold: 0,
    score: 6,
    message: `the reader reports damage: "${r.note}"`,
    evidence: { kind: 'reported_damage', note: r.note, word, reading: r.reading, estimated: r.estimated, at: r.ts },
  });
}
