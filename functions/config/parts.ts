// The parts every setting is read with (the table of settings: functions/config/settings.ts; the
// benchmark's options: bench/options.ts). Each part reads one environment value, where blank counts
// as unset (`NAME=` in a shell), and says what is wrong in words the variable's name can lead:
// `Bad setting PORT: must be a port number 0–65535, got "x"`.
import * as z from 'zod';
import { isEmailAddress } from '../core/text.js';

/** What a reader answers: the value, or what is wrong with the text. */
export type Reading<T> = { value: T } | { problem: string };

/** A part that reads a set value with `read`; unset or blank: undefined (see `withDefault`, `required`). */
export function part<T>(read: (text: string) => Reading<T>) {
  return z
    .string()
    .optional()
    .transform((raw, ctx): T | undefined => {
      const text = raw?.trim();
      if (text === undefined || text === '') return undefined;
      const reading = read(text);
      if ('value' in reading) return reading.value;
      ctx.addIssue({ code: 'custom', message: `${reading.problem}, got "${text}"` });
      return z.NEVER;
    });
}

/** A part: reads one value as `T`, unset or blank as undefined. */
export type Part<T> = ReturnType<typeof part<T>>;

/** The part, with `fallback` when the variable is unset or blank. */
export const withDefault = <T>(p: Part<T>, fallback: T) => p.transform((v): T => v ?? fallback);

/** The part, refusing an unset or blank variable; `why` says what the setting is for. */
export const required = <T>(p: Part<T>, why: string) =>
  p.transform((v, ctx): T => {
    if (v !== undefined) return v;
    ctx.addIssue({ code: 'custom', message: `required (${why})` });
    return z.NEVER;
  });

/** Any text (trimmed). */
export const text = part((t) => ({ value: t }));

/** A number above 0 (a rate). */
export const positiveNumber = part((t) => {
  const n = Number(t);
  return Number.isFinite(n) && n > 0 ? { value: n } : { problem: 'must be a positive number' };
});

/** A count of at least 1; a fraction is rounded down (`2.5` → 2). */
export const count = part((t) => {
  const n = Number(t);
  return Number.isFinite(n) && n >= 1 ? { value: Math.floor(n) } : { problem: 'must be a number of at least 1' };
});

/** A whole number from `min` to `max`, digits only (`1e3`, `0x10` are refused); `_` may group digits (`100_000`). */
export function readWholeNumber(t: string, min: number, max = Number.MAX_SAFE_INTEGER): Reading<number> {
  const n = /^\d[\d_]*$/.test(t) ? Number(t.replace(/_/g, '')) : NaN;
  if (Number.isSafeInteger(n) && n >= min && n <= max) return { value: n };
  return { problem: max === Number.MAX_SAFE_INTEGER ? `must be a whole number ≥ ${min}` : `must be a whole number from ${min} to ${max}` };
}
export const wholeNumber = (min: number, max?: number) => part((t) => readWholeNumber(t, min, max));

/** A TCP port; 0 asks the system for a free one. */
export const port = part((t) => {
  const n = Number(t);
  return /^\d+$/.test(t) && n <= 65535 ? { value: n } : { problem: 'must be a port number 0–65535' };
});

/** An absolute http(s) URL, without trailing slashes (links are built by appending `/path`). */
export const httpUrl = part((t) => {
  const url = URL.parse(t);
  return url?.protocol === 'http:' || url?.protocol === 'https:'
    ? { value: t.replace(/\/+$/, '') }
    : { problem: 'must be an absolute http(s) URL' };
});

/** The items of a comma-separated list (`a, b`); empty items are dropped. */
export const splitList = (t: string): string[] =>
  t
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** A yes/no switch: `true`, `1`, `yes` or `on`; `false`, `0`, `no` or `off` (any case). */
export const flag = part((t) => {
  const v = t.toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return { value: true };
  if (['false', '0', 'no', 'off'].includes(v)) return { value: false };
  return { problem: 'must be true or false' };
});

/** A comma-separated list (`a, b`); empty items are dropped. */
export const list = part((t) => ({ value: splitList(t) }));

/** An email address, as written (the one address check: isEmailAddress in functions/core/text.ts). */
export const email = part((t) => (isEmailAddress(t) ? { value: t } : { problem: 'must be an email address' }));

/** One of `values`, or unset. */
export function oneOf<const V extends readonly [string, ...string[]]>(values: V) {
  const isOne = (t: string): t is V[number] => (values as readonly string[]).includes(t);
  return part((t) => (isOne(t) ? { value: t } : { problem: `must be ${values.join(' or ')} or unset` }));
}

const INTERVAL_UNITS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** A duration in milliseconds: `90s`, `1m`, `2h`, `500ms` or a bare number of seconds; 0 means off, else at least 1 s. */
export function readInterval(t: string): Reading<number> {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(t);
  if (!m) return { problem: 'use a duration such as 30s, 1m or 2h (0 turns it off)' };
  const ms = Math.round(Number(m[1]) * INTERVAL_UNITS[(m[2] ?? 's') as keyof typeof INTERVAL_UNITS]);
  return ms !== 0 && ms < 1000 ? { problem: 'at least 1s (or 0 to turn it off)' } : { value: ms };
}
export const interval = part(readInterval);

/** A setting that is unset or wrong: `setting` is its name (the variable's, or a command-line option's). */
export class SettingError extends Error {
  constructor(
    readonly setting: string,
    readonly problem: string,
  ) {
    super(`Bad setting ${setting}: ${problem}`);
    this.name = 'SettingError';
  }
}

/** An environment, as process.env is. */
export type Env = Record<string, string | undefined>;

/** Parts keyed by what they read. */
export type Shape = Record<string, z.ZodType<unknown, string | undefined>>;

/** What a shape reads into: each key's parsed value. */
export type SettingsOf<S> = { [K in keyof S]: S[K] extends z.ZodType ? z.output<S[K]> : never };

/** Reads `input` (raw strings by key) with `shape`. Throws SettingError naming the first key that is wrong by `nameOf` it. */
export function readShape<S extends Shape>(
  shape: S,
  input: Record<string, string | undefined>,
  nameOf: (key: string) => string,
): SettingsOf<S> {
  const parsed = z.object(shape).safeParse(input);
  if (parsed.success) return parsed.data as SettingsOf<S>;
  const issue = parsed.error.issues[0];
  throw new SettingError(nameOf(String(issue?.path[0] ?? '')), issue?.message ?? 'is invalid');
}
