/*
 * Writes docs/openapi/<service>.json, the OpenAPI document each service serves at /docs-json, so
 * integrators can read the API without running anything. tests/openapi.spec.ts fails when a
 * committed file is stale. Run: npm run openapi:generate
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import {
  openApiFile,
  OPENAPI_DIR,
  renderOpenApiFile,
  SERVICE_NAMES,
  serviceDocument,
} from './service-documents';

async function main(): Promise<void> {
  mkdirSync(OPENAPI_DIR, { recursive: true });
  for (const name of SERVICE_NAMES) {
    const { document } = await serviceDocument(name);
    writeFileSync(openApiFile(name), renderOpenApiFile(document));
    console.log(`wrote ${relative(process.cwd(), openApiFile(name))}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
