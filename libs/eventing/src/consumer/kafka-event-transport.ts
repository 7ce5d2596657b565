import { Catch, ExceptionFilter } from '@nestjs/common';
import { CustomTransportStrategy, MessageHandler, Server } from '@nestjs/microservices';
import { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { isObservable, lastValueFrom, Observable, throwError } from 'rxjs';
import { DataSource } from 'typeorm';
import { CloudEvent, ContractViolation, decodeCloudEvent, dlqTopic, EventRegistry } from '@waybill/contracts';
import { claimInboxEntry } from '../inbox/inbox';
import { ensureTopics } from '../kafka/topics';
import { Outbox } from '../outbox/outbox';
import { deadLetterMessage } from './dead-letter';
import { EventContext, KafkaOrigin } from './event-context';
import { backoffMs, DEFAULT_RETRY_POLICY, judgeFailure, RetryPolicy } from './failure-policy';

export interface KafkaEventTransportOptions {
  readonly service: string;
  readonly kafka: Kafka;
  readonly dataSource: DataSource;
  readonly outbox: Outbox;
  readonly registry: EventRegistry;
  readonly topicPrefix?: string;
  readonly retry?: Partial<RetryPolicy>;
  /** Partitions of one topic handled side by side (default 3). */
  readonly partitionsConsumedConcurrently?: number;
  /** Partitions for topics this service creates (default 3). */
  readonly numPartitions?: number;
}

/**
 * Nest's RPC exception handling turns every error into "Internal server error". The transport
 * needs the real error to decide between retry and dead letter, so handlers' errors pass through.
 */
@Catch()
export class EventErrorPassthroughFilter implements ExceptionFilter {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}

/** Most messages between two offset commits of one partition. */
const COMMIT_EVERY = 100;

type Outcome = 'applied' | 'duplicate' | 'ignored' | 'dead-lettered';

/**
 * Serves `@EventPattern('<ce_type>')` handlers from Kafka. Unlike the stock Kafka transport it runs one
 * consumer group per topic (topics never wait on each other), applies each event in one database
 * transaction with its inbox row, commits the offset only after that transaction, retries with
 * bounded backoff and dead-letters what cannot succeed, so a poison message never stalls its partition.
 */
export class KafkaEventTransport extends Server implements CustomTransportStrategy {
  private readonly consumers: Consumer[] = [];
  private readonly retry: RetryPolicy;
  private dlqProducer?: Producer;
  private running = false;
  private readonly dlq: string;

  constructor(private readonly options: KafkaEventTransportOptions) {
    super();
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.dlq = `${options.topicPrefix ?? ''}${dlqTopic(options.service)}`;
  }

  /** Observers (tests, metrics) learn what happened to each message once its effect or DLQ entry is durable. */
  onMessageSettled?: (outcome: Outcome, event: { topic: string; partition: number; offset: string }) => void;

  listen(callback: (error?: unknown) => void): void {
    this.start().then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  async close(): Promise<void> {
    this.running = false;
    await Promise.all(this.consumers.map((consumer) => consumer.disconnect()));
    this.consumers.length = 0;
    await this.dlqProducer?.disconnect();
  }

  on(): never {
    throw new Error('KafkaEventTransport does not emit transport events');
  }

  unwrap<T>(): T {
    return this.consumers as T;
  }

  private topicsToHandlers(): Map<string, Map<string, MessageHandler>> {
    const byTopic = new Map<string, Map<string, MessageHandler>>();
    for (const [type, handler] of this.messageHandlers) {
      // Unknown patterns are programming errors: fail at start, not at the first message.
      const topic = `${this.options.topicPrefix ?? ''}${this.options.registry.topicOf(type)}`;
      if (!byTopic.has(topic)) byTopic.set(topic, new Map());
      byTopic.get(topic)!.set(type, handler);
    }
    return byTopic;
  }

  private async start(): Promise<void> {
    const { kafka } = this.options;
    this.running = true;
    const byTopic = this.topicsToHandlers();
    await ensureTopics(kafka, [...byTopic.keys(), this.dlq], this.options.numPartitions);
    this.dlqProducer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await this.dlqProducer.connect();

    for (const [topic, handlers] of byTopic) {
      const groupId = `${this.options.topicPrefix ?? ''}waybill.${this.options.service}.${topic}`;
      const consumer = kafka.consumer({ groupId, sessionTimeout: 30_000, heartbeatInterval: 3_000 });
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
        eachBatch: (payload) => this.handleBatch(consumer, groupId, handlers, payload),
      });
      this.consumers.push(consumer);
    }
  }

  private async handleBatch(
    consumer: Consumer,
    groupId: string,
    handlers: Map<string, MessageHandler>,
    { batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload,
  ): Promise<void> {
    // Offsets are committed after the effects are durable, once per batch (or every
    // COMMIT_EVERY messages), not per message: a redelivery after a crash in between is
    // recognised by the inbox, so batching the commits costs nothing but saves a round trip each.
    let settled: string | undefined;
    let sinceCommit = 0;
    const commit = async (): Promise<void> => {
      if (settled === undefined) return;
      const offset = (BigInt(settled) + 1n).toString();
      settled = undefined;
      sinceCommit = 0;
      await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset }]);
    };
    try {
      for (const message of batch.messages) {
        if (!isRunning() || isStale() || !this.running) break;
        const origin: KafkaOrigin = {
          topic: batch.topic,
          partition: batch.partition,
          offset: message.offset,
        };
        const outcome = await this.handleMessage(groupId, handlers, message, origin, heartbeat);
        resolveOffset(message.offset);
        settled = message.offset;
        this.onMessageSettled?.(outcome, origin);
        if (++sinceCommit >= COMMIT_EVERY) await commit();
        await heartbeat();
      }
    } finally {
      await commit();
    }
  }

  private async handleMessage(
    groupId: string,
    handlers: Map<string, MessageHandler>,
    message: KafkaMessage,
    origin: KafkaOrigin,
    heartbeat: () => Promise<void>,
  ): Promise<Outcome> {
    let event: CloudEvent<unknown>;
    let payload: object;
    let handler: MessageHandler | undefined;
    try {
      event = decodeCloudEvent(message);
      handler = handlers.get(event.type);
      if (!handler && !this.options.registry.definition(event.type)) {
        throw new ContractViolation('EVENT.UNKNOWN_TYPE', `unknown event type ${event.type}`);
      }
      if (!handler) return 'ignored'; // a known event on this topic that this service does not need
      payload = await this.options.registry.parse(event.type, event.data);
    } catch (error) {
      // Nothing to retry: the message itself is unreadable, unknown or breaks its contract.
      const code = (error as { code?: unknown }).code;
      await this.deadLetter(
        groupId,
        message,
        origin,
        error,
        0,
        typeof code === 'string' ? code : 'EVENT.UNREADABLE',
      );
      return 'dead-lettered';
    }

    let attempt = 0;
    for (;;) {
      try {
        return await this.applyOnce(groupId, handler, event, payload, origin);
      } catch (error) {
        const verdict = judgeFailure(error, attempt + 1, this.retry);
        if (verdict.action === 'dead-letter') {
          await this.deadLetter(groupId, message, origin, error, attempt + 1, verdict.reason);
          return 'dead-lettered';
        }
        if (verdict.counts) attempt += 1;
        if (!this.running) throw error; // shutting down: leave the offset uncommitted
        this.logger.warn(
          `${event.type} ${event.id} at ${origin.topic}/${origin.partition}@${origin.offset} failed ` +
            `(attempt ${attempt}${verdict.counts ? '' : ', database unavailable'}): ${describeError(error)}`,
        );
        await this.pause(backoffMs(this.retry, Math.max(attempt, 1)), heartbeat);
      }
    }
  }

  private async applyOnce(
    groupId: string,
    handler: MessageHandler,
    event: CloudEvent<unknown>,
    payload: object,
    origin: KafkaOrigin,
  ): Promise<Outcome> {
    return this.options.dataSource.transaction(async (manager) => {
      if (!(await claimInboxEntry(manager, groupId, event.id, event.type))) return 'duplicate';
      const result: unknown = await handler(
        payload,
        new EventContext([event, manager, this.options.outbox, origin]),
      );
      if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
      return 'applied';
    });
  }

  private async deadLetter(
    groupId: string,
    message: KafkaMessage,
    origin: KafkaOrigin,
    error: unknown,
    attempts: number,
    reason: string,
  ): Promise<void> {
    const letter = {
      reason,
      error: describeError(error),
      ...origin,
      attempts,
      consumer: groupId,
    };
    this.logger.warn(
      `dead-lettering ${origin.topic}/${origin.partition}@${origin.offset} to ${this.dlq}: ${letter.reason}: ${letter.error}`,
    );
    await this.dlqProducer!.send({
      topic: this.dlq,
      acks: -1,
      messages: [deadLetterMessage(message, letter)],
    });
  }

  /** Waits between attempts while keeping the group membership alive. */
  private async pause(ms: number, heartbeat: () => Promise<void>): Promise<void> {
    const until = Date.now() + ms;
    while (this.running && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, until - Date.now())));
      await heartbeat().catch(() => undefined);
    }
  }
}

/** Errors are usually Errors; Nest's RPC layer may hand over a plain `{ message }` object instead. */
function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { message?: unknown }).message === 'string'
  ) {
    return (error as { message: string }).message;
  }
  return typeof error === 'string' ? error : JSON.stringify(error);
}
