import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCodes, MeterwatchError } from '../../core/errors.ts';
import { checkJava, parseJavaMajor } from './java.ts';

function fakeJava(versionLine: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mw-java-'));
  const file = join(dir, 'java');
  writeFileSync(file, `#!/bin/sh\necho '${versionLine}' >&2\n`);
  chmodSync(file, 0o755);
  return file;
}

describe('java detection', () => {
  it('parses modern and legacy version strings', () => {
    expect(parseJavaMajor('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(parseJavaMajor('openjdk version "25" 2025-09-16')).toBe(25);
    expect(parseJavaMajor('java version "1.8.0_392"')).toBe(8);
    expect(parseJavaMajor('nonsense')).toBeUndefined();
  });

  it('names the fix when java is missing', () => {
    try {
      checkJava('/nonexistent/java');
      expect.unreachable();
    } catch (err) {
      expect((err as MeterwatchError).code).toBe(ErrorCodes.JAVA_MISSING);
      expect((err as MeterwatchError).describe()).toContain('MW_QUESTDB_URL');
    }
  });

  it('refuses Java 11', () => {
    expect(() => checkJava(fakeJava('openjdk version "11.0.2" 2019-01-15'))).toThrowError(/needs Java 17\+/);
  });

  it('accepts Java 21', () => {
    expect(checkJava(fakeJava('openjdk version "21.0.1" 2023-10-17'))).toBe(21);
  });
});
