// Shared helpers of the meterwatch k6 scripts (plain k6 JavaScript, no npm imports).
export const BASE = __ENV.MW_URL || 'http://127.0.0.1:8080';
export const METERS = Number(__ENV.K6_METERS || 1000);

export function meterId(i) {
  return `K6${String(i % METERS).padStart(7, '0')}`;
}

// ISO 8601 with the company offset (interface.md "Time"); Asia/Shanghai is UTC+8 all year.
export function isoShanghai(ms) {
  return new Date(ms + 8 * 3600 * 1000).toISOString().replace('Z', '+08:00');
}

// The registry rows for the script's meters (POST /api/meters), so an enforcing registry accepts them.
export function registryRows() {
  const rows = [];
  for (let i = 0; i < METERS; i++) rows.push({ meterId: meterId(i), category: 'commercial', kind: 'smart', spec: 'G65', status: 'active', district: 'K6' });
  return rows;
}
