import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MixedList } from 'typeorm';
import { EventRegistry } from '@waybill/contracts';
import { PlatformModule } from '@waybill/platform';
import { EventingModule } from '../eventing.module';
import { EVENTING_MIGRATIONS } from '../migrations';
import { EventDrivenServiceConfig, serviceDatabaseUrl } from './event-driven-service.config';
import { preparingClient } from '../persistence/prepared-statements';
import { HealthController } from './health.controller';
import { READINESS_OPTIONS, ReadinessIndicators } from './readiness.indicators';

export interface WaybillServiceOptions {
  readonly service: string;
  readonly config: EventDrivenServiceConfig;
  readonly registry: EventRegistry;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly migrations?: MixedList<Function | string>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly entities?: MixedList<Function | string>;
}

/**
 * The infrastructure every service stands on: config, API keys and limits, its own database with
 * migrations run at start (never `synchronize`), Kafka with outbox relay and inbox, health probes.
 */
@Module({})
export class WaybillServiceModule {
  static forRoot(options: WaybillServiceOptions): DynamicModule {
    const { config, service } = options;
    const migrations = [...EVENTING_MIGRATIONS, ...((options.migrations as unknown[]) ?? [])];
    return {
      module: WaybillServiceModule,
      imports: [
        PlatformModule.forRoot(config, { service }),
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: serviceDatabaseUrl(service, config),
          entities: options.entities,
          migrations: migrations as MixedList<string>,
          migrationsRun: true,
          migrationsTransactionMode: 'each',
          synchronize: false,
          extra: {
            max: config.DB_POOL_SIZE,
            application_name: `waybill-${service}`,
            ...(config.DB_PREPARED_STATEMENTS && { Client: preparingClient() }),
          },
          retryAttempts: 10,
          retryDelay: 1000,
        }),
        EventingModule.forRoot({
          service,
          registry: options.registry,
          kafka: { clientId: `waybill-${service}`, brokers: config.KAFKA_BROKERS },
          topicPrefix: config.KAFKA_TOPIC_PREFIX,
          relayEnabled: config.OUTBOX_RELAY_ENABLED,
          numPartitions: config.KAFKA_PARTITIONS,
          relay: {
            pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
            batchSize: config.OUTBOX_BATCH_SIZE,
            retentionMs: config.OUTBOX_RETENTION_HOURS * 3_600_000,
          },
          retry: { maxAttempts: config.CONSUMER_MAX_ATTEMPTS },
          maxMessagesPerTransaction: config.CONSUMER_MESSAGES_PER_TRANSACTION,
          consumerSessionTimeoutMs: config.CONSUMER_SESSION_TIMEOUT_MS,
        }),
        // Failing checks are answered with their reasons; logging each probe's failure again is noise.
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: [HealthController],
      providers: [
        ReadinessIndicators,
        {
          provide: READINESS_OPTIONS,
          useValue: {
            outboxMaxAgeSeconds: config.HEALTH_OUTBOX_MAX_AGE_SECONDS,
            checkTimeoutMs: config.HEALTH_CHECK_TIMEOUT_MS,
          },
        },
      ],
    };
  }
}
