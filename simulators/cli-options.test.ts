import { describe, expect, it } from 'vitest';
import { parseChoice, parseCount, parseDuration, parseInstant, parseShare, parseUrl } from './cli-options.ts';

describe('simulate CLI options', () => {
  it('parses shares, counts, durations, URLs and instants', () => {
    expect(parseShare('--faults', '2%')).toBeCloseTo(0.02);
    expect(parseShare('--faults', '0.02')).toBeCloseTo(0.02);
    expect(parseCount('--meters', '100_000')).toBe(100_000);
    expect(parseDuration('--duration', '10m')).toBe(600_000);
    expect(parseUrl('--mqtt', 'mqtt://127.0.0.1:1883', ['mqtt:'])).toBe('mqtt://127.0.0.1:1883');
    expect(parseChoice('--transport', 'http', ['mqtt', 'http'])).toBe('http');
    expect(parseInstant('--now', '2026-11-27T08:00:00+08:00')).toBe(Date.parse('2026-11-27T00:00:00Z'));
  });

  it('rejects bad values with a message naming the option and the value', () => {
    expect(() => parseShare('--faults', '150%')).toThrow('--faults: expected a share such as 2% or 0.02 (0–100 %), got "150%"');
    expect(() => parseCount('--meters', '1.5', 2)).toThrow('--meters: expected an integer ≥ 2, got "1.5"');
    expect(() => parseDuration('--duration', 'soon')).toThrow('--duration');
    expect(() => parseUrl('--url', 'ftp://x', ['http:'])).toThrow('--url: expected a URL with scheme http:, got "ftp://x"');
    expect(() => parseChoice('--transport', 'smtp', ['mqtt', 'http'])).toThrow('one of mqtt, http');
    expect(() => parseInstant('--now', '2026-11-27T08:00:00')).toThrow('--now');
  });
});
