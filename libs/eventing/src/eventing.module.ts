import {
  DynamicModule,
  Inject,
  INestApplication,
  Injectable,
  Module,
  OnApplicationBootstrap,
  BeforeApplicationShutdown,
} from '@nestjs/common';
import { NestMicroservice } from '@nestjs/microservices';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { Metrics } from '@waybill/platform';
import { EventRegistry } from '@waybill/contracts';
import { ConsumerHealth } from './consumer/consumer-health';
import { EventErrorPassthroughFilter, KafkaEventTransport } from './consumer/kafka-event-transport';
import { RetryPolicy } from './consumer/failure-policy';
import { createKafka, KafkaConnectionOptions } from './kafka/kafka-client';
import { Outbox } from './outbox/outbox';
import { EventingMetrics } from './metrics/eventing-metrics';
import { OutboxRelay, OutboxRelayOptions } from './outbox/outbox-relay';
import { UnitsOfWork } from './unit-of-work/unit-of-work';

export interface EventingOptions {
  readonly service: string;
  readonly registry: EventRegistry;
  readonly kafka: KafkaConnectionOptions;
  readonly topicPrefix?: string;
  readonly relay?: Omit<OutboxRelayOptions, 'dataSource' | 'kafka'>;
  readonly retry?: Partial<RetryPolicy>;
  /** Most messages of a partition applied in one transaction (1 = one transaction each). */
  readonly maxMessagesPerTransaction?: number;
  /** Run the relay in this process (default true). */
  readonly relayEnabled?: boolean;
  /** Partitions for topics the transport creates (default 3). */
  readonly numPartitions?: number;
  /** How long the group waits for a silent member before giving its partitions away (default 30 s). */
  readonly consumerSessionTimeoutMs?: number;
}

export const EVENTING_OPTIONS = Symbol('EVENTING_OPTIONS');
export const KAFKA = Symbol('KAFKA');

/** Owns the relay's lifecycle: publishing starts with the app and stops before the database closes. */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly relay: OutboxRelay;

  constructor(
    @Inject(EVENTING_OPTIONS) private readonly options: EventingOptions,
    @Inject(KAFKA) kafka: Kafka,
    dataSource: DataSource,
    metrics: EventingMetrics,
  ) {
    this.relay = new OutboxRelay({
      ...options.relay,
      dataSource,
      kafka,
      onPublished: (types) => metrics.published(types),
      onProducerReplaced: (role, reason) => metrics.producerReplaced(role, reason),
    });
  }

  onApplicationBootstrap(): void {
    if (this.options.relayEnabled !== false) {
      this.relay.start();
    }
  }

  // Before, not on, shutdown: the relay holds a pooled connection, and TypeORM's own shutdown hook
  // waits for every pooled connection to come back before it closes the pool.
  async beforeApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }
}

@Module({})
export class EventingModule {
  static forRoot(options: EventingOptions): DynamicModule {
    return {
      module: EventingModule,
      global: true,
      providers: [
        { provide: EVENTING_OPTIONS, useValue: options },
        { provide: KAFKA, useFactory: () => createKafka(options.kafka) },
        {
          provide: Outbox,
          useFactory: () =>
            new Outbox({
              service: options.service,
              registry: options.registry,
              topicPrefix: options.topicPrefix,
            }),
        },
        {
          provide: EventingMetrics,
          // Services expose the platform's registry at /metrics; a bare EventingModule (tests)
          // still counts, into a registry of its own.
          useFactory: (metrics: Metrics | undefined, dataSource: DataSource) =>
            new EventingMetrics(
              metrics ?? new Metrics(options.service, { processMetrics: false }),
              dataSource,
            ),
          inject: [{ token: Metrics, optional: true }, DataSource],
        },
        OutboxRelayService,
        ConsumerHealth,
        UnitsOfWork,
      ],
      exports: [
        EVENTING_OPTIONS,
        KAFKA,
        Outbox,
        OutboxRelayService,
        EventingMetrics,
        ConsumerHealth,
        UnitsOfWork,
      ],
    };
  }
}

/**
 * Serves the app's `@EventPattern` handlers from Kafka. Call before `app.startAllMicroservices()`.
 * The microservice does not inherit the HTTP app's filters: event errors must reach the transport.
 */
export function connectEventTransport(app: INestApplication): KafkaEventTransport {
  const options = app.get<EventingOptions>(EVENTING_OPTIONS);
  const transport = new KafkaEventTransport({
    service: options.service,
    kafka: app.get<Kafka>(KAFKA),
    dataSource: app.get(DataSource),
    outbox: app.get(Outbox),
    registry: options.registry,
    topicPrefix: options.topicPrefix,
    retry: options.retry,
    maxMessagesPerTransaction: options.maxMessagesPerTransaction,
    numPartitions: options.numPartitions,
    observer: app.get(EventingMetrics),
    sessionTimeoutMs: options.consumerSessionTimeoutMs,
  });
  app.get(ConsumerHealth).watch(() => transport.consumerStatuses());
  // Deferred, so the filter is in place before the listeners are built (Nest builds them eagerly
  // otherwise). The HTTP app already runs the lifecycle hooks: the microservice must not run them again.
  const microservice = app.connectMicroservice(
    { strategy: transport },
    { inheritAppConfig: false, deferInitialization: true },
  ) as NestMicroservice;
  microservice.useGlobalFilters(new EventErrorPassthroughFilter());
  microservice.setIsInitHookCalled(true);
  return transport;
}
