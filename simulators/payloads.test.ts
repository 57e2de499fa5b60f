import { describe, expect, it } from 'vitest';
import { formatInZone } from '../core/time.ts';
import { fastIso, handheldCsv } from './payloads.ts';

describe('payloads', () => {
  it('fastIso formats exactly like formatInZone, with and without DST and milliseconds', () => {
    const samples = [Date.parse('2026-11-27T08:00:00+08:00'), Date.parse('2026-03-29T00:59:59.123Z'), Date.parse('2026-03-29T01:00:00Z'), 0, 1795766400000];
    for (const zone of ['Asia/Shanghai', 'Europe/London', 'America/New_York', 'UTC']) {
      for (const ms of samples) expect(fastIso(ms, zone)).toBe(formatInZone(ms, zone));
    }
  });

  it('writes the handheld CSV with the interface header and quotes notes that need it', () => {
    const csv = handheldCsv([{ meterId: 'M1', ts: 1795766400000, reading: 812.3, note: 'door, locked "again"' }]);
    expect(csv).toBe('meterId,ts,reading,estimated,estimateReason,note\nM1,1795766400000,812.3,false,,"door, locked ""again"""\n');
  });
});
