import { describe, expect, it } from 'vitest';
import type { ValidationContext } from '../validate/reading.ts';
import { decodeHandheldCsv, parseCsv } from './csv.ts';
import { parseJson } from './decoded.ts';
import { decodeIcPurchases } from './ic-purchases.ts';
import { decodeHandheldMessage, decodeHttpReadings, decodeMeterMessage } from './readings.ts';

const NOW = Date.parse('2026-11-27T00:00:00Z');
const ctx: ValidationContext = { now: NOW, futureToleranceMs: 86_400_000, enforceRegistry: false };
const good = { ts: '2026-11-27T08:00:00+08:00', reading: 1234.567 };

describe('meter messages', () => {
  it('accepts one object or an array, with every optional field', () => {
    const one = decodeMeterMessage('M1', JSON.stringify({ ...good, flow: 0.42, battery: 3.6, balance: 12.5, valve: 'open', flags: ['tamper'] }), ctx);
    expect(one.rejections).toEqual([]);
    expect(one.records[0]).toMatchObject({ meterId: 'M1', ts: NOW, reading: 1234.567, flow: 0.42, valve: 'open', flags: ['tamper'], source: 'mqtt' });
    const many = decodeMeterMessage('M1', JSON.stringify(Array.from({ length: 24 }, (_, h) => ({ ts: NOW - h * 3600_000, reading: 100 + h }))), ctx);
    expect(many.records).toHaveLength(24);
  });

  it.each([
    ['a number as a string', { ...good, reading: '100.5' }, 'reading', '"100.5" (string)'],
    ['a negative reading', { ...good, reading: -1 }, 'reading', '-1'],
    ['Infinity from 1e999', '{"ts":1795766400000,"reading":1e999}', 'reading', 'Infinity'],
    ['a missing timestamp', { reading: 1 }, 'ts', undefined],
    ['an unparseable timestamp', { ...good, ts: 'yesterday' }, 'ts', '"yesterday" (string)'],
    ['a timestamp without offset', { ...good, ts: '2026-11-27T08:00:00' }, 'ts', '"2026-11-27T08:00:00" (string)'],
    ['a far-future timestamp', { ...good, ts: NOW + 2 * 86_400_000 }, 'ts', String(NOW + 2 * 86_400_000)],
    ['an unknown flag', { ...good, flags: ['tamper', 'ufo'] }, 'flags', '"ufo" (string)'],
    ['a bad valve', { ...good, valve: 'half' }, 'valve', '"half" (string)'],
    ['a meterId that differs from the topic', { ...good, meterId: 'M2' }, 'meterId', '"M2" (string)'],
  ])('rejects %s, naming field and value, and keeps the good sibling', (_name, bad, field, value) => {
    const text = typeof bad === 'string' ? `[${bad},${JSON.stringify(good)}]` : JSON.stringify([bad, good]);
    const d = decodeMeterMessage('M1', text, ctx);
    expect(d.records).toHaveLength(1);
    expect(d.rejections).toHaveLength(1);
    expect(d.rejections[0]).toMatchObject({ index: 0, field, value, meterId: 'M1' });
    expect(d.rejections[0]!.reason).toContain(field);
  });

  it('reads bare NaN and Infinity so that only their records are rejected', () => {
    const d = decodeMeterMessage('M1', `[{"ts":1795766400000,"reading":NaN},{"ts":1795766400000,"reading":-Infinity},${JSON.stringify(good)},{"ts":1,"reading":2,"note":"NaN stays text"}]`, ctx);
    expect(d.rejections.map((r) => [r.index, r.field, r.value])).toEqual([
      [0, 'reading', 'NaN'],
      [1, 'reading', '-Infinity'],
    ]);
    expect(d.records).toHaveLength(2);
    expect(d.records[1]!.note).toBe('NaN stays text');
  });

  it('rejects malformed JSON whole, with the raw text', () => {
    const d = decodeMeterMessage('M1', '{"ts": 1, "reading": ', ctx);
    expect(d.records).toEqual([]);
    expect(d.rejections[0]).toMatchObject({ field: 'payload', raw: '{"ts": 1, "reading": ' });
    expect(d.rejections[0]!.reason).toMatch(/malformed JSON/);
  });

  it('rejects ids with characters outside the allowed set', () => {
    expect(decodeMeterMessage('M 1', JSON.stringify(good), ctx).rejections[0]!.field).toBe('meterId');
    const d = decodeHttpReadings([{ ...good, meterId: 'M+1' }, { ...good, meterId: 'M#1' }, { ...good, meterId: 'M1' }], ctx);
    expect(d.rejections.map((r) => r.value)).toEqual(['"M+1" (string)', '"M#1" (string)']);
    expect(d.records).toHaveLength(1);
  });

  it('rejects unknown meters only when the registry is enforced', () => {
    const knownMeter = (id: string) => (id === 'UNKNOWN' ? false : true);
    expect(decodeMeterMessage('UNKNOWN', JSON.stringify(good), { ...ctx, knownMeter }).records).toHaveLength(1);
    const d = decodeMeterMessage('UNKNOWN', JSON.stringify(good), { ...ctx, knownMeter, enforceRegistry: true });
    expect(d.rejections[0]).toMatchObject({ field: 'meterId', reason: 'meterId: expected a meter in the registry, got "UNKNOWN" (string)' });
  });
});

describe('handheld uploads', () => {
  it('decodes the JSON upload with reader, route and estimates', () => {
    const body = { readerId: 'R07', route: 'YB-03', records: [{ meterId: 'M0001', ts: 1795766400000, reading: 812.3, estimated: true, estimateReason: 'locked', note: '' }, { meterId: 'M0002', ts: 1795766400000, reading: 5, estimateReason: 'asleep' }] };
    const d = decodeHandheldMessage('H1', JSON.stringify(body), ctx);
    expect(d.records[0]).toMatchObject({ meterId: 'M0001', source: 'handheld', deviceId: 'H1', readerId: 'R07', route: 'YB-03', estimated: true, estimateReason: 'locked', note: undefined });
    expect(d.rejections[0]).toMatchObject({ index: 1, field: 'estimateReason', meterId: 'M0002' });
  });

  it('decodes CSV with quoted fields and rejects bad rows by line', () => {
    const csv = 'meterId,ts,reading,estimated,estimateReason,note\nM1,1795766400000,812.3,false,,"door, blue"\nM2,2026-11-27T08:00:00+08:00,abc,,,\nM3,1795766400000,1.5,true,too_high,\n';
    const d = decodeHandheldCsv(csv, { readerId: 'R07', route: 'YB-03' }, ctx);
    expect(d.records.map((r) => [r.meterId, r.reading, r.note])).toEqual([
      ['M1', 812.3, 'door, blue'],
      ['M3', 1.5, undefined],
    ]);
    expect(d.rejections[0]).toMatchObject({ index: 1, field: 'reading', value: '"abc" (string)', meterId: 'M2' });
  });

  it('rejects a CSV with the wrong header', () => {
    const d = decodeHandheldCsv('meter,ts\nM1,1', {}, ctx);
    expect(d.rejections[0]!.field).toBe('header');
  });

  it('parses RFC 4180 quoting', () => {
    expect(parseCsv('a,"b ""q"", c"\r\n1,2')).toEqual([
      ['a', 'b "q", c'],
      ['1', '2'],
    ]);
  });
});

describe('IC purchases', () => {
  it('keeps good purchases beside bad ones', () => {
    const d = decodeIcPurchases([{ meterId: 'M1', ts: NOW, volume: 20, amount: 55.2 }, { meterId: 'M1', ts: NOW, volume: '20', amount: 1 }], ctx);
    expect(d.records).toEqual([{ meterId: 'M1', ts: NOW, volume: 20, amount: 55.2, receivedAt: NOW }]);
    expect(d.rejections[0]).toMatchObject({ index: 1, field: 'volume' });
  });
});

describe('parseJson', () => {
  it('leaves NaN inside strings alone and still fails on real garbage', () => {
    expect(parseJson('{"a":"NaN"}')).toEqual({ ok: true, value: { a: 'NaN' } });
    expect(parseJson('{a:NaN}').ok).toBe(false);
  });
});
