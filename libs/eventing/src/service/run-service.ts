import { DynamicModule, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { configureHttpApp, loadConfigOrExit, logLevelsUpTo, startTracing } from '@waybill/platform';
import { connectEventTransport } from '../eventing.module';
import { EventDrivenServiceConfig } from './event-driven-service.config';

export interface ServiceEntry<C extends EventDrivenServiceConfig> {
  readonly service: string;
  readonly config: new () => C;
  readonly module: (config: C) => DynamicModule;
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
 */
export async function runService<C extends EventDrivenServiceConfig>(
  entry: ServiceEntry<C>,
): Promise<NestExpressApplication> {
  const config = loadConfigOrExit(entry.config);
  const app = await createServiceApp(entry, config);
  await app.listen(config.PORT);
  new Logger(entry.service).log(`${entry.service} service listening on port ${config.PORT}`);
  return app;
}
