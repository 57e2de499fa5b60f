import type { RealSeries } from './datasets.ts';

export type InjectedFault = 'frozen' | 'silent' | 'backwards';

/** Which rule should catch each injected fault (interface.md §3). */
export const EXPECTED_RULE: Record<InjectedFault, string> = { frozen: 'stuck_meter', silent: 'dead_meter', backwards: 'broken_meter' };

const DAY = 86_400_000;

/**
 * A copy of a real series with one fault near its end, where a state rule judged as of the
 * data's end can see it: the register frozen for the last 30 days, the meter silent for
 * the last 10, or the register run back (twice its biggest one-interval advance) 60 days before the end.
 */
export function injectFault(s: RealSeries, fault: InjectedFault, end: number): RealSeries {
  const meterId = `${s.meter.meterId}-${fault.toUpperCase()}`;
  const meter = { ...s.meter, meterId, customerId: `C-${meterId}` };
  switch (fault) {
    case 'frozen': {
      const from = end - 30 * DAY;
      const frozenAt = [...s.reads].reverse().find((r) => r.ts < from)?.reading ?? s.reads[0]!.reading;
      return { meter, reads: s.reads.map((r) => (r.ts >= from ? { ts: r.ts, reading: frozenAt } : r)) };
    }
    case 'silent':
      return { meter, reads: s.reads.filter((r) => r.ts < end - 10 * DAY) };
    case 'backwards': {
      // Back by more than the biggest single-interval advance, so the next read is lower.
      const at = end - 60 * DAY;
      let biggest = 3;
      for (let i = 1; i < s.reads.length; i++) biggest = Math.max(biggest, s.reads[i]!.reading - s.reads[i - 1]!.reading);
      const back = Math.ceil(2 * biggest);
      return { meter, reads: s.reads.map((r) => (r.ts >= at ? { ts: r.ts, reading: Math.round((r.reading - back) * 1000) / 1000 } : r)) };
    }
  }
}
