import { DataSource } from 'typeorm';
import { EVENTING_MIGRATIONS } from '../migrations';
import { EventDrivenServiceConfig, serviceDatabaseUrl } from './event-driven-service.config';

/** A service's own migration classes, run after the outbox/inbox tables (EVENTING_MIGRATIONS). */
export type ServiceMigrations = readonly (new () => object)[];

/**
 * `node dist/services/<service>/src/main.js migrate`: what a Kubernetes migration Job (or a
 * deployment pipeline) runs before a rollout. The services still migrate at start; running it
 * first means a failing migration stops the rollout instead of crash-looping new pods beside
 * healthy old ones.
 */
export const MIGRATE_COMMAND = 'migrate';

export function isMigrateCommand(argv: readonly string[] = process.argv.slice(2)): boolean {
  return argv[0] === MIGRATE_COMMAND;
}

/**
 * Runs the same migration list, with the same options, as WaybillServiceModule's TypeORM setup
 * (one transaction per migration), against the same database the service would use; returns the
 * names of the migrations it applied (empty when the schema was already current).
 */
export async function runServiceMigrations(
  service: string,
  config: Pick<EventDrivenServiceConfig, 'DATABASE_URL' | 'DATABASE_NAME'>,
  migrations: ServiceMigrations = [],
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<string[]> {
  const dataSource = new DataSource({
    type: 'postgres',
    url: serviceDatabaseUrl(service, config, env),
    migrations: [...EVENTING_MIGRATIONS, ...migrations] as (new () => object)[],
    migrationsTransactionMode: 'each',
    synchronize: false,
    extra: { max: 1, application_name: `waybill-${service}-migrate` },
  });
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}
