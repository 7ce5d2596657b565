import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/*
 * Where the published artefacts live. Used by the generator and the specs only, so it is not in
 * the barrel (it reads files relative to the source tree).
 */
export const CONTRACTS_DIR = resolve(__dirname, '..');
export const SCHEMAS_DIR = join(CONTRACTS_DIR, 'schemas');
/** Beside the other API documentation, where integrators look for it. */
export const ASYNCAPI_FILE = resolve(CONTRACTS_DIR, '..', '..', 'docs', 'asyncapi.yaml');
export const GENERATE_COMMAND = 'npm run contracts:generate';

const SUFFIX = '.schema.json';

export function schemaFileName(type: string): string {
  return `${type}${SUFFIX}`;
}

export function renderSchemaFile(schema: object): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

/** The committed schemas by `ce_type`, checking each file is named after the `$id` inside it. */
export function readSchemaSnapshots(dir: string = SCHEMAS_DIR): Record<string, object> {
  if (!existsSync(dir)) {
    return {};
  }
  const snapshots: Record<string, object> = {};
  for (const file of readdirSync(dir)
    .filter((name) => name.endsWith(SUFFIX))
    .sort()) {
    const schema = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { $id?: unknown };
    const type = file.slice(0, -SUFFIX.length);
    if (schema.$id !== type) {
      throw new Error(`${file} has $id ${String(schema.$id)}; expected ${type}`);
    }
    snapshots[type] = schema;
  }
  return snapshots;
}
