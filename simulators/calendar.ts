import { DateTime } from 'luxon';

/** One simulated calendar day in the company time zone (interface.md "Time"). */
export interface SimDay {
  /** 0-based index of the day within the window. */
  index: number;
  start: number;
  end: number;
  /** 0-based index of the calendar month within the window. */
  monthIndex: number;
  monthStart: number;
  year: number;
  month: number;
  dayOfMonth: number;
  dayOfYear: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
  daysInMonth: number;
}

/** Days of [start, end) in `zone`; start must be a day start. */
export function* daysOf(start: number, end: number, zone: string): Generator<SimDay> {
  let dt = DateTime.fromMillis(start, { zone }).startOf('day');
  const first = DateTime.fromMillis(start, { zone }).startOf('month');
  let index = 0;
  while (dt.toMillis() < end) {
    const next = dt.plus({ days: 1 });
    yield {
      index: index++,
      start: dt.toMillis(),
      end: next.toMillis(),
      monthIndex: (dt.year - first.year) * 12 + (dt.month - first.month),
      monthStart: dt.startOf('month').toMillis(),
      year: dt.year,
      month: dt.month,
      dayOfMonth: dt.day,
      dayOfYear: dt.ordinal,
      weekday: dt.weekday % 7,
      daysInMonth: dt.daysInMonth ?? 30,
    };
    dt = next;
  }
}

/** Month starts of the window: edges[i] is the start of month i; edges has months + 1 entries. */
export function monthEdges(start: number, end: number, zone: string): number[] {
  const edges: number[] = [];
  let dt = DateTime.fromMillis(start, { zone }).startOf('month');
  for (;;) {
    edges.push(dt.toMillis());
    if (dt.toMillis() >= end) break;
    dt = dt.plus({ months: 1 });
  }
  return edges;
}

export interface CalendarDay {
  dayOfYear: number;
  month: number;
  weekday: number;
}

const monthCache = new Map<string, CalendarDay[]>();

/** The days of the month starting at `monthStart` (cached: every meter asks for the same months). */
export function daysOfMonth(monthStart: number, zone: string): CalendarDay[] {
  const key = `${zone}|${monthStart}`;
  let days = monthCache.get(key);
  if (!days) {
    const first = DateTime.fromMillis(monthStart, { zone });
    days = Array.from({ length: first.daysInMonth ?? 30 }, (_, d) => {
      const dt = first.plus({ days: d });
      return { dayOfYear: dt.ordinal, month: dt.month, weekday: dt.weekday % 7 };
    });
    if (monthCache.size > 1000) monthCache.clear();
    monthCache.set(key, days);
  }
  return days;
}
