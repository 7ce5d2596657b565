import { Controller, INestApplication } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  connectEventTransport,
  EventContext,
  EventingModule,
  KafkaEventTransport,
  EVENTING_MIGRATIONS,
  OWN_TRANSACTION,
} from '@waybill/eventing';
import {
  ItemLockedV1,
  ItemRecordedV1,
  PingV1,
  TestEffectsTable1764140000001,
  testRegistry,
} from './fixtures';

/** Counts attempts per item and can be told to fail or block, to drive the runner's paths. */
export class HandlerControl {
  readonly attempts = new Map<string, number>();
  private releaseGate?: () => void;
  gate: Promise<void> = Promise.resolve();

  closeGate(): void {
    this.gate = new Promise((resolve) => (this.releaseGate = resolve));
  }

  openGate(): void {
    this.releaseGate?.();
  }
}

@Controller()
class TestEventsController {
  constructor(private readonly control: HandlerControl) {}

  @EventPattern('waybill.test.item-recorded.v1')
  async onItemRecorded(@Payload() item: ItemRecordedV1, @Ctx() ctx: EventContext): Promise<void> {
    const attempt = (this.control.attempts.get(item.itemId) ?? 0) + 1;
    this.control.attempts.set(item.itemId, attempt);
    if (!(item instanceof ItemRecordedV1)) {
      throw new Error('payload was not turned into its contract class');
    }
    if (item.behaviour === 'fail-once' && attempt === 1) {
      throw new Error('transient failure');
    }
    if (item.behaviour === 'fail-always') {
      throw new Error('this item always fails');
    }
    if (item.behaviour === 'block') {
      await this.control.gate;
    }
    // A poison message that kills the process (a native crash, an out-of-memory exit): only
    // attempts stored outside the process can count it.
    if (item.behaviour === 'exit-process') {
      process.exit(86);
    }
    await ctx.manager.query(
      `INSERT INTO test_effects (item_id, key, seq) VALUES ($1, $2, $3)
       ON CONFLICT (item_id) DO UPDATE SET applied = test_effects.applied + 1`,
      [item.itemId, item.key, item.seq],
    );
  }

  @EventPattern('waybill.test.item-locked.v1', OWN_TRANSACTION)
  async onItemLocked(@Payload() item: ItemLockedV1, @Ctx() ctx: EventContext): Promise<void> {
    await ctx.manager.query(`INSERT INTO test_effects (item_id, key, seq) VALUES ($1, $2, $3)`, [
      item.itemId,
      item.key,
      item.seq,
    ]);
  }

  @EventPattern('waybill.test.ping.v1')
  async onPing(@Payload() ping: PingV1, @Ctx() ctx: EventContext): Promise<void> {
    await ctx.manager.query(`INSERT INTO test_effects (item_id, key, seq) VALUES ($1, 'ping', 0)`, [
      ping.pingId,
    ]);
  }
}

export interface ConsumerApp {
  readonly app: INestApplication;
  readonly transport: KafkaEventTransport;
  readonly control: HandlerControl;
}

/** A real Nest app whose handlers are served by Waybill's transport, the way a service wires it. */
export async function startConsumerApp(
  databaseUrl: string,
  brokers: string[],
  topicPrefix: string,
  options: { readonly sessionTimeoutMs?: number } = {},
): Promise<ConsumerApp> {
  const control = new HandlerControl();
  const moduleRef = await Test.createTestingModule({
    imports: [
      TypeOrmModule.forRoot({
        type: 'postgres',
        url: databaseUrl,
        migrations: [...EVENTING_MIGRATIONS, TestEffectsTable1764140000001],
        migrationsRun: true,
      }),
      EventingModule.forRoot({
        service: 'test',
        registry: testRegistry,
        kafka: { clientId: 'it-consumer', brokers },
        topicPrefix,
        relayEnabled: false,
        retry: { maxAttempts: 3, initialBackoffMs: 50, maxBackoffMs: 200 },
        consumerSessionTimeoutMs: options.sessionTimeoutMs,
      }),
    ],
    controllers: [TestEventsController],
    providers: [{ provide: HandlerControl, useValue: control }],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error'] });
  const transport = connectEventTransport(app);
  await app.startAllMicroservices();
  await app.init();
  return { app, transport, control };
}
