import { MeterwatchError, ErrorCodes } from '../errors.ts';
import { sections } from './sections.ts';
import type { Section, SectionValues, Setting } from './setting.ts';

type Sections = typeof sections;
export type Config = { readonly [K in keyof Sections]: SectionValues<Sections[K]> };

/**
 * Reads every MW_* setting once, validates all of them, and returns one frozen object.
 * All problems are reported together, each naming the variable and the value.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Record<string, string>> = {}): Config {
  const problems: string[] = [];
  const out: Record<string, Record<string, unknown>> = {};
  for (const [sectionName, section] of Object.entries(sections) as [string, Section][]) {
    const values: Record<string, unknown> = {};
    for (const [key, s] of Object.entries(section)) {
      const raw = overrides[s.env] ?? env[s.env];
      if (raw === undefined || raw === '') {
        values[key] = s.default;
        continue;
      }
      const parsed = (s as Setting<unknown>).schema.safeParse(raw);
      if (parsed.success) values[key] = parsed.data;
      else problems.push(`${s.env}="${raw}": ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    }
    out[sectionName] = Object.freeze(values);
  }
  if (problems.length > 0) {
    throw new MeterwatchError(ErrorCodes.CONFIG_INVALID, `invalid configuration:\n  ${problems.join('\n  ')}`, {
      hint: 'correct or unset these environment variables; `meterwatch start --help` lists every setting',
    });
  }
  return Object.freeze(out) as unknown as Config;
}

/** Every setting as `ENV  description [default]`, for --help and the README. */
export function describeSettings(): string {
  const lines: string[] = [];
  for (const section of Object.values(sections) as Section[]) {
    for (const s of Object.values(section)) {
      const def = s.default === undefined ? '' : ` [${s.defaultText ?? String(s.default)}]`;
      lines.push(`  ${s.env.padEnd(28)} ${s.description}${def}`);
    }
  }
  return lines.join('\n');
}

/** The settings as a Markdown table, for the README. */
export function settingsMarkdown(): string {
  const rows = ['| variable | default | meaning |', '|---|---|---|'];
  for (const section of Object.values(sections) as Section[]) {
    for (const s of Object.values(section)) {
      const def = s.default === undefined ? '' : `\`${s.defaultText ?? String(s.default)}\``;
      rows.push(`| \`${s.env}\` | ${def} | ${s.description.replaceAll('|', '\\|')} |`);
    }
  }
  return rows.join('\n');
}
