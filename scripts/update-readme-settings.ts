// Rewrites the settings table in README.md from core/config (npm run docs:settings).
import { readFileSync, writeFileSync } from 'node:fs';
import { settingsMarkdown } from '../core/config/index.ts';

const START = '<!-- settings:start -->';
const END = '<!-- settings:end -->';
const readme = readFileSync('README.md', 'utf8');
const before = readme.slice(0, readme.indexOf(START) + START.length);
const after = readme.slice(readme.indexOf(END));
writeFileSync('README.md', `${before}\n${settingsMarkdown()}\n${after}`);
