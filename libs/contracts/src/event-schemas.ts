// Tells class-validator-jsonschema the element class of `@Type(() => X) lines: X[]`
// (typings for this deep path: class-transformer-storage.d.ts).
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { getMetadataStorage, MAX, MIN, ValidationTypes } from 'class-validator';
import { targetConstructorToSchema } from 'class-validator-jsonschema';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import { eventRegistry } from './catalogue';
import { describedAs } from './events/common/field-rules';
import { EventClass, EventDefinition } from './registry/event-contract';
import { EventRegistry } from './registry/event-registry';

/** A JSON Schema (draft-07) as plain JSON. */
export type JsonSchema = { [keyword: string]: unknown };

export const JSON_SCHEMA_DRAFT = 'http://json-schema.org/draft-07/schema#';

const REF_PREFIX = '#/definitions/';
const OPTIONS = {
  classTransformerMetadataStorage: defaultMetadataStorage,
  refPointerPrefix: REF_PREFIX,
  // The stock converters also say `type: number`, and the last decorator's type wins the merge, so
  // `@Min(0) @IsInt()` would publish `number`. Bounds state bounds; @IsInt/@IsNumber state the type.
  additionalConverters: {
    [MIN]: (meta: ValidationMetadata) => ({ minimum: meta.constraints[0] as number }),
    [MAX]: (meta: ValidationMetadata) => ({ maximum: meta.constraints[0] as number }),
  },
};

/** Keyword order in the published files, so a diff of a snapshot reads like the change that made it. */
const KEYWORD_ORDER = [
  '$schema',
  '$id',
  'title',
  'description',
  'type',
  'format',
  'pattern',
  'enum',
  'const',
  'minimum',
  'exclusiveMinimum',
  'maximum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'uniqueItems',
  'items',
  'properties',
  'required',
  'additionalProperties',
];

function isObject(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Orders keywords canonically; `properties` keeps the class's declaration order. */
export function canonicalSchema(value: unknown, parentKey?: string): unknown {
  if (Array.isArray(value)) {
    return value.map((item) => canonicalSchema(item));
  }
  if (!isObject(value)) {
    return value;
  }
  const keys = Object.keys(value);
  if (parentKey !== 'properties') {
    const rank = (key: string) =>
      KEYWORD_ORDER.includes(key) ? KEYWORD_ORDER.indexOf(key) : KEYWORD_ORDER.length;
    keys.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  }
  const out: JsonSchema = {};
  for (const key of keys) {
    out[key] = canonicalSchema(value[key], key);
  }
  return out;
}

function nestedClassOf(cls: EventClass, property: string): EventClass {
  const typeMeta = defaultMetadataStorage.findTypeMetadata(cls, property);
  const nested = typeMeta?.typeFunction() as EventClass | undefined;
  if (!nested) {
    throw new Error(`${cls.name}.${property} is validated as nested but has no @Type(() => Class)`);
  }
  return nested;
}

/** Replaces every `$ref` under one property by the schema of the class its `@Type` names. */
function inlineRefs(node: unknown, owner: EventClass, property: string, path: EventClass[]): unknown {
  if (Array.isArray(node)) {
    return node.map((item) => inlineRefs(item, owner, property, path));
  }
  if (!isObject(node)) {
    return node;
  }
  const { $ref, ...rest } = node;
  const resolved: JsonSchema = {};
  for (const [key, value] of Object.entries(rest)) {
    resolved[key] = inlineRefs(value, owner, property, path);
  }
  if (typeof $ref !== 'string') {
    return resolved;
  }
  const nested = nestedClassOf(owner, property);
  if ($ref !== `${REF_PREFIX}${nested.name}`) {
    throw new Error(`${owner.name}.${property}: schema refers to ${$ref} but @Type names ${nested.name}`);
  }
  return { ...resolved, ...classSchema(nested, path) };
}

function classSchema(cls: EventClass, path: EventClass[]): JsonSchema {
  if (path.includes(cls)) {
    throw new Error(`contracts must not be recursive: ${[...path, cls].map((c) => c.name).join(' -> ')}`);
  }
  const metadatas = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
  if (metadatas.length === 0) {
    throw new Error(`${cls.name} has no class-validator rules`);
  }
  const raw = targetConstructorToSchema(cls, OPTIONS) as JsonSchema;
  const properties: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries((raw.properties ?? {}) as Record<string, JsonSchema>)) {
    const hasNested = metadatas.some(
      (m) => m.propertyName === name && m.type === ValidationTypes.NESTED_VALIDATION,
    );
    const inlined = (hasNested ? inlineRefs(schema, cls, name, [...path, cls]) : schema) as JsonSchema;
    const description = describedAs(cls, name);
    properties[name] = description ? { ...inlined, description } : inlined;
  }
  return { ...raw, type: 'object', properties };
}

/**
 * The self-contained JSON Schema of one class (nested classes inlined, no `$ref`), e.g. for a DTO
 * that is not an event.
 */
export function classJsonSchema(cls: EventClass): JsonSchema {
  return canonicalSchema(classSchema(cls, [])) as JsonSchema;
}

/** The published schema of one event version: `$id` is its `ce_type`. */
export function eventJsonSchema(definition: EventDefinition): JsonSchema {
  return canonicalSchema({
    $schema: JSON_SCHEMA_DRAFT,
    $id: definition.type,
    title: definition.cls.name,
    description: definition.description,
    ...classSchema(definition.cls, []),
  }) as JsonSchema;
}

/** Every registered event's schema, by `ce_type`. */
export function eventJsonSchemas(registry: EventRegistry = eventRegistry): Record<string, JsonSchema> {
  const schemas: Record<string, JsonSchema> = {};
  for (const definition of registry.definitions()) {
    schemas[definition.type] = eventJsonSchema(definition);
  }
  return schemas;
}
