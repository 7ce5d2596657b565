/*
 * Writes the published contract artefacts from the event classes:
 *   libs/contracts/schemas/<ce_type>.schema.json   one JSON Schema per event version
 *   docs/asyncapi.yaml                             the AsyncAPI 3.0 document
 *
 * It refuses to overwrite a snapshot with a breaking change, because the snapshot is what the
 * compatibility test guards: ship a `.v<N+1>` instead. `--allow-breaking` overrides that, for a
 * change nobody consumes yet; reviewers see it in the snapshot diff.
 *
 * Run: npm run contracts:generate [-- --allow-breaking]
 */
import { mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { asyncApiYaml } from '../src/asyncapi';
import { eventJsonSchemas } from '../src/event-schemas';
import { catalogueBreakingChanges } from '../src/schema-compat';
import {
  ASYNCAPI_FILE,
  readSchemaSnapshots,
  renderSchemaFile,
  schemaFileName,
  SCHEMAS_DIR,
} from '../src/snapshot-files';

function main(): number {
  const allowBreaking = process.argv.includes('--allow-breaking');
  const current = eventJsonSchemas();
  const published = readSchemaSnapshots();

  const breaking = catalogueBreakingChanges(published, current);
  if (breaking.length > 0 && !allowBreaking) {
    console.error('Breaking changes to published event schemas; ship a new version (.v<N+1>) instead:');
    for (const line of breaking) {
      console.error(`  - ${line}`);
    }
    console.error('Nothing was written. (--allow-breaking overrides, for events nobody consumes yet.)');
    return 1;
  }

  mkdirSync(SCHEMAS_DIR, { recursive: true });
  for (const type of Object.keys(published)) {
    if (!current[type]) {
      unlinkSync(join(SCHEMAS_DIR, schemaFileName(type)));
    }
  }
  for (const [type, schema] of Object.entries(current)) {
    writeFileSync(join(SCHEMAS_DIR, schemaFileName(type)), renderSchemaFile(schema));
  }
  writeFileSync(ASYNCAPI_FILE, asyncApiYaml());
  console.log(
    `Wrote ${Object.keys(current).length} schemas to ${relative(process.cwd(), SCHEMAS_DIR)} and ${relative(process.cwd(), ASYNCAPI_FILE)}.`,
  );
  return 0;
}

process.exitCode = main();
