// TypeBox validation errors → ConfigProblems a person can act on: where, what, how to fix.
// Values are shown only where it helps (enums, patterns) and never for a secret ('x-secret').
import { Kind, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { pointerToPath, type ConfigProblem } from './problems.js';

interface Annotated {
  description?: string;
  'x-secret'?: boolean;
  [key: string]: unknown;
}

function annotations(schema: TSchema): Annotated {
  return schema as unknown as Annotated;
}

function isSecret(schema: TSchema): boolean {
  return annotations(schema)['x-secret'] === true;
}

function describeType(schema: TSchema): string {
  const s = annotations(schema);
  switch (schema[Kind]) {
    case 'String':
      return 'text';
    case 'Integer':
      return 'a whole number';
    case 'Number':
      return 'a number';
    case 'Boolean':
      return 'true or false';
    case 'Array':
      return 'a list';
    case 'Object':
    case 'Record':
      return 'a map of keys';
    case 'Literal':
      return JSON.stringify(s['const']);
    case 'Union':
      return (s['anyOf'] as TSchema[]).map(describeType).join(' or ');
    default:
      return String(schema[Kind]).toLowerCase();
  }
}

function literalsOf(schema: TSchema): unknown[] | undefined {
  if (schema[Kind] !== 'Union') return undefined;
  const variants = annotations(schema)['anyOf'] as TSchema[];
  return variants.every((v) => v[Kind] === 'Literal') ? variants.map((v) => annotations(v)['const']) : undefined;
}

/** ` (got "udp:/x")` for a value safe to show; empty for secrets and long values. */
function got(value: unknown, schema: TSchema): string {
  if (isSecret(schema) || value === undefined) return '';
  const text = JSON.stringify(value);
  return text !== undefined && text.length <= 80 ? ` (got ${text})` : '';
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

function unknownKeyProblem(error: ValueError, path: string): ConfigProblem {
  const key = error.path.split('/').pop()!.replace(/~1/g, '/').replace(/~0/g, '~');
  const known = Object.keys((annotations(error.schema)['properties'] as Record<string, unknown> | undefined) ?? {});
  const suggestion = known.find((k) => editDistance(k, key) <= 2);
  return {
    path,
    message: 'is not a known key',
    fix: suggestion ? `did you mean \`${suggestion}\`?` : `remove it, or use one of: ${known.join(', ')}`,
  };
}

function unionProblems(error: ValueError, path: string): ConfigProblem[] {
  const literals = literalsOf(error.schema);
  const help = annotations(error.schema).description ?? '';
  if (literals) {
    return [{ path, message: `must be one of ${literals.map((l) => JSON.stringify(l)).join(', ')}${got(error.value, error.schema)}`, fix: help || 'use one of the listed values' }];
  }
  // A union of objects told apart by `type` (notifiers, senders): report against the variant the value names.
  const variants = annotations(error.schema)['anyOf'] as TSchema[];
  const discriminated = variants.every((v) => v[Kind] === 'Object' && (annotations(v)['properties'] as Record<string, TSchema>)['type']?.[Kind] === 'Literal');
  if (discriminated && error.value !== null && typeof error.value === 'object') {
    const types = variants.map((v) => annotations((annotations(v)['properties'] as Record<string, TSchema>)['type']!)['const']);
    const named = (error.value as Record<string, unknown>)['type'];
    const index = types.indexOf(named);
    if (index === -1) {
      return [{ path: `${path}.type`, message: `must be one of ${types.map((t) => JSON.stringify(t)).join(', ')}${got(named, error.schema)}`, fix: help || 'set `type`' }];
    }
    return schemaProblems(variants[index]!, error.value, error.path);
  }
  return [{ path, message: `must be ${describeType(error.schema)}`, fix: help || `write ${describeType(error.schema)}` }];
}

function problemOf(error: ValueError, path: string): ConfigProblem[] {
  const help = annotations(error.schema).description;
  const secret = isSecret(error.schema);
  const s = annotations(error.schema);
  switch (error.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return [{ path, message: 'is required but missing', fix: help ? `add it: ${help}` : 'add it' }];
    case ValueErrorType.ObjectAdditionalProperties:
      return [unknownKeyProblem(error, path)];
    case ValueErrorType.Union:
      return unionProblems(error, path);
    case ValueErrorType.Literal:
      return [{ path, message: `must be ${describeType(error.schema)}${got(error.value, error.schema)}`, fix: help ?? 'use the listed value' }];
    case ValueErrorType.StringMinLength:
      return [
        {
          path,
          message: secret ? `is shorter than ${String(s['minLength'])} characters` : `is too short (at least ${String(s['minLength'])} characters)`,
          fix: secret ? `use a random value of at least ${String(s['minLength'])} characters, e.g. \`openssl rand -base64 24\`` : (help ?? 'make it longer'),
        },
      ];
    case ValueErrorType.StringMaxLength:
      return [{ path, message: `is too long (at most ${String(s['maxLength'])} characters)`, fix: help ?? 'shorten it' }];
    case ValueErrorType.StringPattern:
      return [{ path, message: `has the wrong form${got(error.value, error.schema)}`, fix: help ?? `match ${String(s['pattern'])}` }];
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.NumberMinimum:
      return [{ path, message: `must be at least ${String(s['minimum'])}${got(error.value, error.schema)}`, fix: help ?? 'raise it' }];
    case ValueErrorType.IntegerMaximum:
    case ValueErrorType.NumberMaximum:
      return [{ path, message: `must be at most ${String(s['maximum'])}${got(error.value, error.schema)}`, fix: help ?? 'lower it' }];
    case ValueErrorType.ArrayMinItems:
      return [{ path, message: `needs at least ${String(s['minItems'])} item${s['minItems'] === 1 ? '' : 's'}`, fix: help ?? 'add items' }];
    case ValueErrorType.ArrayUniqueItems:
      return [{ path, message: 'lists the same item more than once', fix: 'remove the repeated items' }];
    default:
      return [{ path, message: `must be ${describeType(error.schema)}${secret ? '' : got(error.value, error.schema)}`, fix: help ?? `write ${describeType(error.schema)}` }];
  }
}

/** Every schema problem of `value`, at most one per path (the first, which is the most specific). */
export function schemaProblems(schema: TSchema, value: unknown, pointerPrefix = ''): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  for (const error of Value.Errors(schema, value)) {
    const pointer = pointerPrefix + error.path;
    const path = pointerToPath(pointer);
    if (seen.has(path)) continue;
    seen.add(path);
    problems.push(...problemOf({ ...error, path: pointer }, path));
  }
  return problems;
}
