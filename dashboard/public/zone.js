// Dates in the company time zone (interface.md "Time"), whatever the browser's own zone is.
let zone = 'Asia/Shanghai';
export const setZone = (z) => { zone = z; };
export const getZone = () => zone;

const parts = (ms, opts) => Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', ...opts }).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));

/** Offset of the zone at `ms`, as "+08:00". */
export function offsetAt(ms) {
  const name = parts(ms, { timeZoneName: 'longOffset' }).timeZoneName; // "GMT+08:00" or "GMT"
  const m = /GMT([+-]\d{2}):?(\d{2})?/.exec(name);
  return m ? `${m[1]}:${m[2] ?? '00'}` : '+00:00';
}

/** "2026-11-27" of `ms` in the company zone. */
export function dayOf(ms) {
  const p = parts(ms, { year: 'numeric', month: '2-digit', day: '2-digit' });
  return `${p.year}-${p.month}-${p.day}`;
}

/** "2026-11-27 08:00" in the company zone. */
export function formatTime(value) {
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) return '';
  const p = parts(ms, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

export const formatDay = (value) => dayOf(typeof value === 'number' ? value : Date.parse(value));

/** Midnight of a "YYYY-MM-DD" day in the company zone, as an ISO string with offset. */
export function startOfDayIso(day) {
  const guess = Date.parse(`${day}T00:00:00Z`);
  const off = offsetAt(guess - 12 * 3600_000);
  return `${day}T00:00:00${off}`;
}

/** The [from, to) of a quick range ("30d", "12M") or of explicit days, as ISO strings with offset. */
export function resolveRange(state) {
  if (state.from && state.to) return { from: startOfDayIso(state.from), to: startOfDayIso(state.to) };
  const code = state.range || '30d';
  const n = Number.parseInt(code, 10);
  const today = dayOf(Date.now());
  const [y, m, d] = today.split('-').map(Number);
  const to = new Date(Date.UTC(y, m - 1, d + 1));
  const from = code.endsWith('M') ? new Date(Date.UTC(y, m - 1 - n, 1)) : new Date(Date.UTC(y, m - 1, d + 1 - n));
  const iso = (dt) => dt.toISOString().slice(0, 10);
  return { from: startOfDayIso(iso(from)), to: startOfDayIso(iso(to)) };
}
