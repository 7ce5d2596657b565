import { eventJsonSchemas } from './event-schemas';
import { catalogueBreakingChanges } from './schema-compat';
import { GENERATE_COMMAND, readSchemaSnapshots, renderSchemaFile, schemaFileName } from './snapshot-files';

/*
 * The committed snapshots in libs/contracts/schemas are what has been published. The current
 * classes must stay backward compatible with them; a breaking change ships as a new version.
 */

const published = readSchemaSnapshots();
const current = eventJsonSchemas();

describe('published event schemas', () => {
  it('exist (the snapshot directory is committed)', () => {
    expect(Object.keys(published).length).toBeGreaterThan(0);
  });

  it('are all still served, compatibly, by the current classes', () => {
    const breaking = catalogueBreakingChanges(published, current);
    if (breaking.length > 0) {
      throw new Error(
        [
          'Breaking changes to published event schemas. Ship a new version (.v<N+1>) and keep the old one:',
          ...breaking.map((line) => `  - ${line}`),
        ].join('\n'),
      );
    }
  });

  it('cover every registered event type', () => {
    const missing = Object.keys(current).filter((type) => !published[type]);
    if (missing.length > 0) {
      throw new Error(
        `No published schema for ${missing.join(', ')}. Run \`${GENERATE_COMMAND}\` and commit libs/contracts/schemas/${schemaFileName('<type>')}.`,
      );
    }
  });

  it('are up to date with additive changes too', () => {
    // Types with breaking changes are reported above; regenerating would not help them.
    const breakingTypes = new Set(
      catalogueBreakingChanges(published, current).map((line) => line.split(':')[0]),
    );
    const stale = Object.keys(current).filter(
      (type) =>
        published[type] &&
        !breakingTypes.has(type) &&
        renderSchemaFile(published[type]) !== renderSchemaFile(current[type]),
    );
    if (stale.length > 0) {
      throw new Error(
        `Snapshots out of date for ${stale.join(', ')}. Run \`${GENERATE_COMMAND}\` and commit the result.`,
      );
    }
  });
});
