import { DynamicModule, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { configureHttpApp, loadConfigOrExit, logLevelsUpTo, startTracing } from '@waybill/platform';
import { connectEventTransport } from '../eventing.module';
import { EventDrivenServiceConfig } from './event-driven-service.config';
import { isMigrateCommand, runServiceMigrations, ServiceMigrations } from './migrate';

export interface ServiceEntry<C extends EventDrivenServiceConfig> {
  readonly service: string;
  readonly config: new () => C;
  readonly module: (config: C) => DynamicModule;
  /** The service's own migrations (what its module passes to WaybillServiceModule), for `migrate`. */
  readonly migrations?: ServiceMigrations;
}

/**
 * Builds a service's app from an already validated config: HTTP wiring and the Kafka handlers,
 * started but not yet listening. `runService` and the e2e harness both start services this way,
 * so tests run exactly what production runs.
 */
export async function createServiceApp<C extends EventDrivenServiceConfig>(
  entry: ServiceEntry<C>,
  config: C,
  options: { readonly bufferLogs?: boolean } = {},
): Promise<NestExpressApplication> {
  startTracing(entry.service);
  const app = await NestFactory.create<NestExpressApplication>(entry.module(config), {
    bufferLogs: options.bufferLogs ?? true,
    logger: logLevelsUpTo(config.LOG_LEVEL),
  });
  configureHttpApp(app, config, { service: entry.service });
  connectEventTransport(app);
  await app.startAllMicroservices();
  return app;
}

/**
 * A service's main.ts: validate the configuration (a bad value stops it with a message naming the
 * variable), migrate, serve HTTP and the Kafka handlers, and shut down cleanly on SIGTERM/SIGINT:
 * consumers leave their groups, the relay finishes its batch, then the database closes.
 * With the argument `migrate` it validates the same configuration, migrates and exits instead.
 */
export async function runService<C extends EventDrivenServiceConfig>(
  entry: ServiceEntry<C>,
): Promise<NestExpressApplication | undefined> {
  const config = loadConfigOrExit(entry.config);
  if (isMigrateCommand()) {
    await migrateAndExit(entry, config);
    return undefined;
  }
  const app = await createServiceApp(entry, config);
  await app.listen(config.PORT);
  new Logger(entry.service).log(`${entry.service} service listening on port ${config.PORT}`);
  return app;
}

/** Exit 0 when the schema is current, 1 (with the reason) when a migration or the connection fails. */
async function migrateAndExit<C extends EventDrivenServiceConfig>(
  entry: ServiceEntry<C>,
  config: C,
): Promise<void> {
  const logger = new Logger(`${entry.service}-migrate`);
  try {
    const applied = await runServiceMigrations(entry.service, config, entry.migrations ?? []);
    logger.log(
      applied.length > 0
        ? `applied ${applied.length} migration(s): ${applied.join(', ')}`
        : 'schema is current',
    );
    process.exitCode = 0;
  } catch (error) {
    logger.error(`migration failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
