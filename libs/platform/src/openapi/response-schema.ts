/*
 * Small builders for response schemas. Responses are view interfaces, not classes, so their schema
 * is written beside the route's @ApiDoc; the typed example (`satisfies <View>`) ties it to the
 * interface at compile time and tests/openapi.spec.ts validates the example against the schema,
 * so the three cannot silently part. Objects are closed: a field the view gains must be added here.
 */

export type Schema = { readonly [keyword: string]: unknown };

export const string = (extra: Schema = {}): Schema => ({ type: 'string', ...extra });
export const integer = (extra: Schema = {}): Schema => ({ type: 'integer', ...extra });
export const boolean: Schema = { type: 'boolean' };
export const uuid: Schema = { type: 'string', format: 'uuid' };
export const dateTime: Schema = { type: 'string', format: 'date-time' };
export const oneOfValues = (values: readonly string[]): Schema => ({ type: 'string', enum: [...values] });
export const arrayOf = (items: Schema): Schema => ({ type: 'array', items });
export const nullable = (schema: Schema): Schema => ({ anyOf: [schema, { type: 'null' }] });
/** Any JSON value (e.g. a free-form `detail`). */
export const anyValue: Schema = {};

/** A view described once in `components.schemas` under `name`, and referred to wherever it is used. */
export const named = (name: string, schema: Schema): Schema => ({ title: name, ...schema });

/** A closed object; every property is required unless listed in `optional`. */
export function object(properties: Record<string, Schema>, optional: readonly string[] = []): Schema {
  const unknown = optional.filter((name) => !(name in properties));
  if (unknown.length > 0) {
    throw new Error(`optional names no property: ${unknown.join(', ')}`);
  }
  return {
    type: 'object',
    properties,
    required: Object.keys(properties).filter((name) => !optional.includes(name)),
    additionalProperties: false,
  };
}
