import { describe, expect, it } from 'vitest';
import { parseCsvLine } from './questdb-export.ts';

describe('parseCsvLine', () => {
  it('splits plain fields and keeps empty ones (NULL)', () => {
    expect(parseCsvLine('1,2.5,,x')).toEqual(['1', '2.5', '', 'x']);
    expect(parseCsvLine('1,')).toEqual(['1', '']);
  });

  it('unquotes quoted fields, with commas and doubled quotes inside', () => {
    expect(parseCsvLine('"B0053485",1704038400000,493.065,')).toEqual(['B0053485', '1704038400000', '493.065', '']);
    expect(parseCsvLine('"a,b","say ""hi""",3')).toEqual(['a,b', 'say "hi"', '3']);
    expect(parseCsvLine('"",""')).toEqual(['', '']);
    expect(parseCsvLine('"朝阳区",1')).toEqual(['朝阳区', '1']);
  });

  it('refuses an unterminated quote rather than guessing', () => {
    expect(() => parseCsvLine('"abc,1')).toThrow(/unterminated/);
  });
});
