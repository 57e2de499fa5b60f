import { describe, expect, it } from 'vitest';
import { decodeUtf8, parseCsvTable, CsvFormatError } from './csv-rows.ts';
import { applyChanges, validateMeterRow } from './meter-input.ts';

describe('registry row validation', () => {
  it('names the row, field and value of every problem', () => {
    const r = validateMeterRow({ meterId: 'M 1', households: '12', category: 'shop', qmax: -1 }, 7, false);
    expect('problems' in r && r.problems).toEqual([
      { row: 7, field: 'meterId', value: 'M 1', reason: expect.stringContaining('letters') },
      { row: 7, field: 'households', value: '12', reason: expect.stringContaining('whole number') },
      { row: 7, field: 'category', value: 'shop', reason: expect.stringContaining('residential_bulk') },
      { row: 7, field: 'qmax', value: '-1', reason: expect.stringContaining('> 0') },
    ]);
  });

  it('refuses unknown fields and a meter that is its own parent', () => {
    const r = validateMeterRow({ meterId: 'M1', colour: 'red', parentMeterId: 'M1' }, 1, false);
    expect('problems' in r && r.problems.map((p) => p.field)).toEqual(['colour', 'parentMeterId']);
  });

  it('parses CSV text cells (numbers, epoch ms) but keeps JSON strict', () => {
    const csv = validateMeterRow({ meterId: 'M1', households: '12', installedAt: '1767225600000', effectiveAt: '2026-03-01T00:00:00+08:00', spec: 'g4' }, 1, true);
    expect('input' in csv && csv.input).toMatchObject({ changes: { households: 12, installedAt: 1767225600000, spec: 'G4' }, effectiveAt: 1772294400000 });
  });

  it('derives qmax from the G-size when absent, keeps an explicit one, and lets null clear a field', () => {
    const first = applyChanges(undefined, 'M1', { spec: 'G4', customerName: '张三' });
    expect(first).toEqual({ meterId: 'M1', spec: 'G4', qmax: 6, customerName: '张三' });
    const bigger = applyChanges(first, 'M1', { spec: 'G6' });
    expect(bigger.qmax).toBe(10);
    const explicit = applyChanges(bigger, 'M1', { qmax: 12, customerName: null });
    expect(explicit).toEqual({ meterId: 'M1', spec: 'G6', qmax: 12 });
  });
});

describe('CSV decoding', () => {
  it('keeps Chinese text with or without a BOM and refuses non-UTF-8 bytes', () => {
    const text = 'meterId,customerName,address\nM1,王小明,"北京路 1 号, 2 单元"\n';
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    for (const body of [Buffer.from(text, 'utf8'), withBom]) {
      const table = parseCsvTable(decodeUtf8(body));
      expect(table.header).toEqual(['meterId', 'customerName', 'address']);
      expect(table.rows).toEqual([{ meterId: 'M1', customerName: '王小明', address: '北京路 1 号, 2 单元' }]);
    }
    // "王" in GBK is 0xCD 0xF5: not valid UTF-8.
    expect(() => decodeUtf8(Buffer.from([0x4d, 0x31, 0x2c, 0xcd, 0xf5]))).toThrow(CsvFormatError);
  });
});
