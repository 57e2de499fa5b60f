import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { settingsMarkdown } from './index.ts';

describe('README settings table', () => {
  it('lists exactly the settings of core/config (run `npm run docs:settings` after changing them)', () => {
    const readme = readFileSync('README.md', 'utf8');
    const table = readme.split('<!-- settings:start -->')[1]?.split('<!-- settings:end -->')[0]?.trim();
    expect(table).toBe(settingsMarkdown());
  });
});
