// Walks a value alongside the schema and calls back at every property marked with an annotation
// ('x-secret', 'x-file'), so rules about secrets and paths live in the schema, not in lists.
import { Kind, type TSchema } from '@sinclair/typebox';

export type AnnotatedVisitor = (value: unknown, path: (string | number)[], replace: (next: unknown) => void) => void;

interface SchemaShape {
  properties?: Record<string, TSchema>;
  items?: TSchema;
  anyOf?: TSchema[];
  patternProperties?: Record<string, TSchema>;
  [key: string]: unknown;
}

export function visitAnnotated(schema: TSchema, value: unknown, annotation: string, visit: AnnotatedVisitor, path: (string | number)[] = []): void {
  const shape = schema as unknown as SchemaShape;
  if (value === null || typeof value !== 'object') return;
  switch (schema[Kind]) {
    case 'Object':
      for (const [key, property] of Object.entries(shape.properties ?? {})) {
        const record = value as Record<string, unknown>;
        if (!(key in record)) continue;
        if ((property as unknown as SchemaShape)[annotation] === true) {
          visit(record[key], [...path, key], (next) => {
            if (next === undefined) Reflect.deleteProperty(record, key);
            else record[key] = next;
          });
        } else visitAnnotated(property, record[key], annotation, visit, [...path, key]);
      }
      return;
    case 'Array':
      if (Array.isArray(value) && shape.items) {
        value.forEach((item, i) => {
          if ((shape.items as unknown as SchemaShape)[annotation] === true) visit(item, [...path, i], (next) => (value[i] = next));
          else visitAnnotated(shape.items!, item, annotation, visit, [...path, i]);
        });
      }
      return;
    case 'Record':
      for (const item of Object.values(shape.patternProperties ?? {})) {
        for (const [key, entry] of Object.entries(value)) visitAnnotated(item, entry, annotation, visit, [...path, key]);
      }
      return;
    case 'Union':
      // Only object variants can hold annotated properties; a variant matching the value's `type` wins.
      for (const variant of shape.anyOf ?? []) {
        const typeSchema = (variant as unknown as SchemaShape).properties?.['type'] as unknown as SchemaShape | undefined;
        if (typeSchema && typeSchema['const'] !== (value as Record<string, unknown>)['type']) continue;
        visitAnnotated(variant, value, annotation, visit, path);
        return;
      }
      return;
    default:
      return;
  }
}
