import { INestApplicationContext, Module, Provider, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { eventRegistry, EventRegistry } from '@waybill/contracts';
import { EVENTING_MIGRATIONS, Outbox, ServiceMigrations, UnitOfWork, UnitsOfWork } from '@waybill/eventing';
import { createTestDatabase, TestDatabase } from './database';

export interface UseCaseHarnessOptions {
  /** The service whose use case runs: its events' `ce_source`. */
  readonly service: string;
  /** The service's migrations (the outbox and inbox tables are added before them). */
  readonly migrations: ServiceMigrations;
  /**
   * The use case and what it needs, as Nest providers: repositories and use cases as classes,
   * configuration and partner adapters as `{ provide, useValue }`.
   */
  readonly providers: readonly Provider[];
  readonly registry?: EventRegistry;
}

/** One event the use case enqueued, as the relay would publish it. */
export interface EnqueuedEvent {
  readonly type: string;
  readonly subject: string;
  /** The Kafka key: the aggregate that orders the flow. */
  readonly key: string;
  readonly topic: string;
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly data: unknown;
}

interface OutboxRow {
  id: string;
  event_type: string;
  topic: string;
  message_key: string;
  headers: Record<string, string>;
  payload: string;
}

/**
 * The use-case tier: a use case with its real repositories on a fresh PostgreSQL database (the
 * service's migrations run), no Kafka and no HTTP. `run` executes work in a unit of work that
 * commits like production's; `enqueued` answers what it put in the outbox since the last look,
 * and `query` reads the rows it wrote. One database per harness, dropped by `stop`.
 */
export class UseCaseHarness {
  private seenOutboxId = '0';

  private constructor(
    private readonly database: TestDatabase,
    readonly dataSource: DataSource,
    private readonly context: INestApplicationContext,
  ) {}

  static async start(options: UseCaseHarnessOptions): Promise<UseCaseHarness> {
    const database = await createTestDatabase(`uc_${options.service}`);
    const dataSource = new DataSource({
      type: 'postgres',
      url: database.url,
      migrations: [...EVENTING_MIGRATIONS, ...options.migrations] as (new () => object)[],
      migrationsTransactionMode: 'each',
      synchronize: false,
      extra: { max: 10, application_name: `waybill-${options.service}-use-case` },
    });
    try {
      await dataSource.initialize();
      await dataSource.runMigrations({ transaction: 'each' });
      const outbox = new Outbox({ service: options.service, registry: options.registry ?? eventRegistry });

      @Module({
        providers: [
          { provide: DataSource, useValue: dataSource },
          { provide: Outbox, useValue: outbox },
          UnitsOfWork,
          ...options.providers,
        ],
      })
      class UseCaseModule {}

      const context = await NestFactory.createApplicationContext(UseCaseModule, {
        // Use cases log their decisions; a test asserts them instead of printing them.
        logger: ['error'],
        abortOnError: false,
      });
      return new UseCaseHarness(database, dataSource, context);
    } catch (error) {
      if (dataSource.isInitialized) {
        await dataSource.destroy();
      }
      await database.drop();
      throw error;
    }
  }

  /** A provider of the harness: the use case under test, or a repository to arrange rows with. */
  get<T>(type: Type<T>): T {
    return this.context.get(type);
  }

  /** Runs `work` in a new unit of work: it commits when `work` resolves, rolls back when it throws. */
  run<T>(work: (uow: UnitOfWork) => Promise<T>): Promise<T> {
    return this.context.get(UnitsOfWork).run(work);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query<T = any>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.dataSource.query(sql, params);
  }

  /** The events enqueued (committed) since the previous call, in the order they were written. */
  async enqueued(): Promise<EnqueuedEvent[]> {
    const rows: OutboxRow[] = await this.dataSource.query(
      `SELECT id::text AS id, event_type, topic, message_key, headers, payload
         FROM outbox WHERE id > $1::bigint ORDER BY id`,
      [this.seenOutboxId],
    );
    const last = rows.at(-1);
    if (last) {
      this.seenOutboxId = last.id;
    }
    return rows.map((row) => ({
      type: row.event_type,
      subject: row.headers.ce_subject,
      key: row.message_key,
      topic: row.topic,
      ...(row.headers.ce_correlationid !== undefined && { correlationId: row.headers.ce_correlationid }),
      ...(row.headers.ce_causationid !== undefined && { causationId: row.headers.ce_causationid }),
      data: JSON.parse(row.payload) as unknown,
    }));
  }

  /** The types of `enqueued()`, for the common assertion. */
  async enqueuedTypes(): Promise<string[]> {
    return (await this.enqueued()).map((event) => event.type);
  }

  async stop(): Promise<void> {
    await this.context.close();
    await this.dataSource.destroy();
    await this.database.drop();
  }
}
