/*
 * Backward compatibility of one event version's JSON Schema against its published snapshot.
 *
 * A version is compatible when (1) every message valid under the old schema is still valid under
 * the new one, so consumers on the new contract can read what is already on the topics, and (2) no
 * property a reader relies on disappears, is renamed or may start to be missing. Anything else
 * (a property removed or made optional, a new required property, a type change, a lost enum value,
 * a narrowed bound, a changed pattern or format) ships as a new version `.v<N+1>`.
 *
 * Deliberately allowed: new optional properties, new enum values and loosened bounds. They need
 * every consumer to run the new contracts, which one monorepo deploying together provides.
 */

type Schema = { readonly [keyword: string]: unknown };

const LOWER_BOUNDS = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties'] as const;
const UPPER_BOUNDS = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties'] as const;
/** Keywords compared for equality: any change may reject old data, and proving otherwise is not worth it. */
const EXACT = ['pattern', 'format', 'const', 'multipleOf', 'oneOf', 'anyOf', 'allOf', 'not'] as const;

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typesOf(schema: Schema): string[] | undefined {
  const type = schema.type;
  if (type === undefined) {
    return undefined;
  }
  return (Array.isArray(type) ? type : [type]).map((t) => (typeof t === 'string' ? t : show(t))).sort();
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function show(value: unknown): string {
  return JSON.stringify(value);
}

function requiredOf(schema: Schema): Set<string> {
  return new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
}

function propertiesOf(schema: Schema): Record<string, unknown> {
  return isSchema(schema.properties) ? schema.properties : {};
}

function compare(oldSchema: Schema, newSchema: Schema, path: string, out: string[]): void {
  const at = path || '(root)';

  const oldTypes = typesOf(oldSchema);
  const newTypes = typesOf(newSchema);
  if (newTypes && (!oldTypes || !same(oldTypes, newTypes))) {
    out.push(`${at}: type changed from ${oldTypes ? oldTypes.join('|') : 'any'} to ${newTypes.join('|')}`);
    return; // whatever lies below a changed type is not comparable
  }

  for (const keyword of EXACT) {
    const before = oldSchema[keyword];
    const after = newSchema[keyword];
    if (after !== undefined && !same(before, after)) {
      out.push(
        `${at}: ${keyword} changed from ${before === undefined ? 'none' : show(before)} to ${show(after)}`,
      );
    }
  }

  if (newSchema.enum !== undefined) {
    const after = Array.isArray(newSchema.enum) ? newSchema.enum : [];
    if (!Array.isArray(oldSchema.enum)) {
      out.push(`${at}: enum ${show(after)} added where any value was allowed`);
    } else {
      for (const value of oldSchema.enum) {
        if (!after.some((candidate) => same(candidate, value))) {
          out.push(`${at}: enum lost value ${show(value)}`);
        }
      }
    }
  }

  for (const keyword of LOWER_BOUNDS) {
    const before = oldSchema[keyword];
    const after = newSchema[keyword];
    if (typeof after === 'number' && (typeof before !== 'number' || after > before)) {
      out.push(`${at}: ${keyword} raised from ${before === undefined ? 'none' : show(before)} to ${after}`);
    }
  }
  for (const keyword of UPPER_BOUNDS) {
    const before = oldSchema[keyword];
    const after = newSchema[keyword];
    if (typeof after === 'number' && (typeof before !== 'number' || after < before)) {
      out.push(`${at}: ${keyword} lowered from ${before === undefined ? 'none' : show(before)} to ${after}`);
    }
  }
  if (newSchema.uniqueItems === true && oldSchema.uniqueItems !== true) {
    out.push(`${at}: uniqueItems added`);
  }
  if (newSchema.additionalProperties === false && oldSchema.additionalProperties !== false) {
    out.push(`${at}: additionalProperties became false`);
  }

  const oldProperties = propertiesOf(oldSchema);
  const newProperties = propertiesOf(newSchema);
  const oldRequired = requiredOf(oldSchema);
  const newRequired = requiredOf(newSchema);
  const child = (name: string) => (path ? `${path}.${name}` : name);

  for (const [name, before] of Object.entries(oldProperties)) {
    const after = newProperties[name];
    if (after === undefined) {
      out.push(`${child(name)}: property removed or renamed`);
      continue;
    }
    if (oldRequired.has(name) && !newRequired.has(name)) {
      out.push(`${child(name)}: became optional (readers rely on it being present)`);
    }
    if (!oldRequired.has(name) && newRequired.has(name)) {
      out.push(`${child(name)}: became required`);
    }
    if (isSchema(before) && isSchema(after)) {
      compare(before, after, child(name), out);
    }
  }
  for (const name of newRequired) {
    if (!(name in oldProperties)) {
      out.push(`${child(name)}: new property is required (old messages lack it)`);
    }
  }

  if (isSchema(oldSchema.items) && isSchema(newSchema.items)) {
    compare(oldSchema.items, newSchema.items, `${path}[]`, out);
  } else if (
    isSchema(newSchema.items) &&
    !isSchema(oldSchema.items) &&
    Object.keys(newSchema.items).length > 0
  ) {
    out.push(`${at}[]: item rules added where any item was allowed`);
  }
}

/**
 * What makes `newSchema` incompatible with `oldSchema`, one line per problem as `path: what`
 * (empty when compatible). Paths use `.` for properties and `[]` for array items.
 */
export function breakingChanges(oldSchema: object, newSchema: object): string[] {
  const out: string[] = [];
  compare(oldSchema as Schema, newSchema as Schema, '', out);
  return out;
}

/**
 * Compares a whole published catalogue (`ce_type` → schema) with the current one: every published
 * type must still exist and stay compatible. New types are not reported here.
 */
export function catalogueBreakingChanges(
  published: Readonly<Record<string, object>>,
  current: Readonly<Record<string, object>>,
): string[] {
  const out: string[] = [];
  for (const [type, oldSchema] of Object.entries(published)) {
    const newSchema = current[type];
    if (!newSchema) {
      out.push(`${type}: event type disappeared (keep publishing it, or retire it deliberately)`);
      continue;
    }
    for (const change of breakingChanges(oldSchema, newSchema)) {
      out.push(`${type}: ${change}`);
    }
  }
  return out;
}
