import { z } from 'zod';

/**
 * One configurable setting: the environment variable that sets it, a zod schema that
 * parses the variable's text, its default and a line of description. The same table
 * produces the typed config, `meterwatch start --help` and the README's settings list.
 */
export interface Setting<T> {
  readonly env: string;
  readonly schema: z.ZodType<T>;
  readonly default: T | undefined;
  readonly description: string;
  /** How the default is written in --help and the README, when String(default) is unreadable. */
  readonly defaultText?: string;
}

export function setting<T>(env: string, schema: z.ZodType<T>, defaultValue: T, description: string, defaultText?: string): Setting<T> {
  return defaultText === undefined ? { env, schema, default: defaultValue, description } : { env, schema, default: defaultValue, description, defaultText };
}

/** A duration setting whose default is written as text (`3d`) and held as milliseconds. */
export function durationSetting(env: string, defaultText: string, description: string): Setting<number> {
  return setting(env, duration, duration.parse(defaultText), description, defaultText);
}

/** A setting without a default: `undefined` when the variable is not set. */
export function optionalSetting<T>(env: string, schema: z.ZodType<T>, description: string): Setting<T | undefined> {
  return { env, schema: schema.optional(), default: undefined, description };
}

export type Section = Readonly<Record<string, Setting<unknown>>>;
export type SectionValues<S extends Section> = { readonly [K in keyof S]: S[K] extends Setting<infer T> ? T : never };

// Reusable parsers for text from the environment.
export const port = z.coerce.number().int().min(0).max(65535);
export const positiveInt = z.coerce.number().int().positive();
export const nonNegativeNumber = z.coerce.number().finite().min(0);
export const bool = z
  .string()
  .trim()
  .toLowerCase()
  .transform((v, ctx) => {
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
    ctx.addIssue({ code: 'custom', message: `expected true/false, got "${v}"` });
    return z.NEVER;
  });
/** Sizes like `1048576`, `512KiB`, `1MiB`, `2GiB`. */
export const byteSize = z
  .string()
  .trim()
  .transform((v, ctx) => {
    const m = /^(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB|KB|MB|GB)?$/i.exec(v);
    if (!m) {
      ctx.addIssue({ code: 'custom', message: `expected a size such as 1MiB, got "${v}"` });
      return z.NEVER;
    }
    const unit = (m[2] ?? 'B').toLowerCase();
    const factor: Record<string, number> = { b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, kb: 1e3, mb: 1e6, gb: 1e9 };
    return Math.round(Number(m[1]) * (factor[unit] ?? 1));
  });
/** Durations like `500ms`, `30s`, `5m`, `3d`, or plain milliseconds. */
export const duration = z
  .string()
  .trim()
  .transform((v, ctx) => {
    const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(v);
    if (!m) {
      ctx.addIssue({ code: 'custom', message: `expected a duration such as 30s or 3d, got "${v}"` });
      return z.NEVER;
    }
    const factor: Record<string, number> = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 };
    return Math.round(Number(m[1]) * (factor[m[2] ?? 'ms'] ?? 1));
  });
