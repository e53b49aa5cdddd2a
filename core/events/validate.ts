// Compiled validators with messages that name the field, shared by MQTT intake and anything else off the wire.
import { type TSchema, type Static } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { FormatRegistry } from '@sinclair/typebox';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/i;
if (!FormatRegistry.Has('uuid')) FormatRegistry.Set('uuid', (v) => UUID.test(v));
if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', (v) => DATE_TIME.test(v) && !Number.isNaN(Date.parse(v)));

export class ValidationError extends Error {
  constructor(
    readonly field: string,
    readonly detail: string,
  ) {
    super(`${field}: ${detail}`);
  }
}

const cache = new WeakMap<TSchema, TypeCheck<TSchema>>();

/** Returns a function that checks a value against the schema and throws a ValidationError naming the first bad field. */
export function validator<T extends TSchema>(schema: T): (value: unknown) => Static<T> {
  let check = cache.get(schema) as TypeCheck<T> | undefined;
  if (!check) {
    check = TypeCompiler.Compile(schema);
    cache.set(schema, check);
  }
  const compiled = check;
  return (value: unknown) => {
    if (compiled.Check(value)) {
      const nul = nulField(value, '');
      if (nul !== undefined) throw new ValidationError(nul || '(root)', NUL_DETAIL);
      return value as Static<T>;
    }
    const first = compiled.Errors(value).First();
    const field = first?.path ? first.path.replace(/^\//, '').replace(/\//g, '.') || '(root)' : '(root)';
    throw new ValidationError(field, first?.message ?? 'invalid');
  };
}

export const NUL_DETAIL = 'contains a NUL character (U+0000), which the database cannot store';

/**
 * The path of the first string holding U+0000, if any. JSON allows it and the schemas do not refuse it, but
 * PostgreSQL text cannot hold it: accepted here, it would fail its whole batch at the database instead.
 */
export function nulField(v: unknown, path: string): string | undefined {
  if (typeof v === 'string') return v.includes('\u0000') ? path : undefined;
  if (typeof v !== 'object' || v === null) return undefined;
  if (Buffer.isBuffer(v)) return undefined;
  for (const [k, x] of Object.entries(v)) {
    if (k.includes('\u0000')) return path ? `${path}.${k}` : k;
    const found = nulField(x, path ? `${path}.${k}` : k);
    if (found !== undefined) return found;
  }
  return undefined;
}
