import 'reflect-metadata';
import { resolve } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { EventDrivenServiceConfig, ServiceEntry } from '@waybill/eventing';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import {
  buildOpenApiDocument,
  loadConfig,
  nestRoutes,
  routeArguments,
  routeHandlers,
} from '@waybill/platform';
import { InventoryConfig } from '../../services/inventory/src/inventory.config';
import { InventoryModule } from '../../services/inventory/src/inventory.module';
import { LogisticsConfig } from '../../services/logistics/src/logistics.config';
import { LogisticsModule } from '../../services/logistics/src/logistics.module';
import { ChannelsConfig } from '../../services/channels/src/channels.config';
import { ChannelsModule } from '../../services/channels/src/channels.module';
import { OrderConfig } from '../../services/order/src/order.config';
import { OrderModule } from '../../services/order/src/order.module';
import { PaymentConfig } from '../../services/payment/src/payment.config';
import { PaymentModule } from '../../services/payment/src/payment.module';

const order: ServiceEntry<OrderConfig> = {
  service: 'order',
  config: OrderConfig,
  module: (config) => OrderModule.forRoot(config),
};
const inventory: ServiceEntry<InventoryConfig> = {
  service: 'inventory',
  config: InventoryConfig,
  module: (config) => InventoryModule.forRoot(config),
};
const payment: ServiceEntry<PaymentConfig> = {
  service: 'payment',
  config: PaymentConfig,
  module: (config) => PaymentModule.forRoot(config),
};
const logistics: ServiceEntry<LogisticsConfig> = {
  service: 'logistics',
  config: LogisticsConfig,
  module: (config) => LogisticsModule.forRoot(config),
};

const channels: ServiceEntry<ChannelsConfig> = {
  service: 'channels',
  config: ChannelsConfig,
  module: (config) => ChannelsModule.forRoot(config),
};

/** The five HTTP services, as their main.ts start them. */
export const SERVICE_ENTRIES = { order, inventory, payment, logistics, channels };
export type ServiceName = keyof typeof SERVICE_ENTRIES;
export const SERVICE_NAMES = Object.keys(SERVICE_ENTRIES) as ServiceName[];

export interface ServiceDocument {
  readonly document: OpenAPIObject;
  /** Every route Nest maps for the service, e.g. `GET /v1/orders/{id}`. */
  readonly routes: string[];
  /** The `@Body()` DTO class of each operation that has one, by operationId. */
  readonly bodyTypes: Map<string, new () => object>;
}

/**
 * One service's entry with its config type erased, for code that treats the four alike. Sound
 * because `module` is only ever called with a config loaded from the same entry's `config` class.
 */
export function serviceEntry(name: ServiceName): ServiceEntry<EventDrivenServiceConfig> {
  return SERVICE_ENTRIES[name] as unknown as ServiceEntry<EventDrivenServiceConfig>;
}

/**
 * A service's OpenAPI document without running it: `preview` builds the module graph but
 * instantiates nothing, so no database or Kafka is touched (the URLs below are never dialled).
 * The same builder runs inside each service (configureHttpApp), so this is what `/docs-json` serves.
 */
export async function serviceDocument(name: ServiceName): Promise<ServiceDocument> {
  const entry = serviceEntry(name);
  const config = loadConfig(entry.config, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    KAFKA_BROKERS: '127.0.0.1:1',
    DATABASE_URL: 'postgres://openapi@127.0.0.1:1/openapi',
    WAYBILL_API_KEYS: '[]',
  });
  const app = await NestFactory.create(entry.module(config), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  try {
    const bodyTypes = new Map<string, new () => object>();
    for (const [operationId, route] of routeHandlers(app)) {
      const body = routeArguments(route).find((arg) => arg.kind === RouteParamtypes.BODY && arg.dto);
      if (body?.dto) {
        bodyTypes.set(operationId, body.dto);
      }
    }
    return {
      document: buildOpenApiDocument(app, { service: entry.service }),
      routes: nestRoutes(app),
      bodyTypes,
    };
  } finally {
    await app.close();
  }
}

/** Committed copies, for integrators who read the API without running a service. */
export const OPENAPI_DIR = resolve(__dirname, '..', '..', 'docs', 'openapi');
export const GENERATE_OPENAPI_COMMAND = 'npm run openapi:generate';

export function openApiFile(name: ServiceName): string {
  return resolve(OPENAPI_DIR, `${name}.json`);
}

export function renderOpenApiFile(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
