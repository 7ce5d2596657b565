import { Catch, ExceptionFilter } from '@nestjs/common';
import { CustomTransportStrategy, MessageHandler, Server } from '@nestjs/microservices';
import { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { isObservable, lastValueFrom, Observable, throwError } from 'rxjs';
import { DataSource, EntityManager } from 'typeorm';
import { CloudEvent, ContractViolation, decodeCloudEvent, dlqTopic, EventRegistry } from '@waybill/contracts';
import { inSpan, SpanKind } from '@waybill/platform';
import { claimInboxEntries, claimInboxEntry } from '../inbox/inbox';
import { ensureTopics } from '../kafka/topics';
import { ReplaceableProducer } from '../kafka/replaceable-producer';
import { Outbox } from '../outbox/outbox';
import { deadLetterMessage } from './dead-letter';
import { EventContext, KafkaOrigin } from './event-context';
import {
  backoffMs,
  DEFAULT_RETRY_POLICY,
  isDatabaseUnavailable,
  judgeFailure,
  RetryPolicy,
} from './failure-policy';
import { ConsumerAttempts, PartitionAt } from './consumer-attempts';
import { ConsumerObserver, messageType } from '../metrics/eventing-metrics';
import { ConsumerStatus, SupervisedConsumer } from './supervised-consumer';

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
  /**
   * Most messages of a partition applied in one database transaction (default 50; 1 turns runs
   * off). A handler that must not share one says so with `OWN_TRANSACTION`.
   */
  readonly maxMessagesPerTransaction?: number;
  /** Partitions for topics this service creates (default 3). */
  readonly numPartitions?: number;
  /** Told what happens to messages (outcomes, handler time, retries, dead letters, lag): metrics. */
  readonly observer?: ConsumerObserver;
  /**
   * A member not heard from for this long leaves its group and its partitions go to the others
   * (default 30 s). A process frozen longer comes back to a group that has forgotten it: its
   * consumer is replaced by a new one.
   */
  readonly sessionTimeoutMs?: number;
}

/** Between a consumer's crash and its replacement, and between failed replacements. */
const RESTART_BACKOFF: RetryPolicy = { maxAttempts: Infinity, initialBackoffMs: 500, maxBackoffMs: 10_000 };

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
/**
 * `@EventPattern(type, OWN_TRANSACTION)`: this handler's messages never share a transaction with
 * others. For handlers that lock rows many messages share (stock levels): in a run such locks
 * would be held for the whole run, and runs on other partitions would wait for, or deadlock with,
 * each other.
 */
export const OWN_TRANSACTION = { ownTransaction: true } as const;

function needsOwnTransaction(handler: MessageHandler): boolean {
  return (handler.extras as { ownTransaction?: unknown } | undefined)?.ownTransaction === true;
}

/** Default for the most messages applied in one database transaction. */
const DEFAULT_RUN_LIMIT = 50;

interface ReadableMessage {
  readonly message: KafkaMessage;
  readonly event: CloudEvent<unknown>;
  /** Absent for a known event this service does not handle. */
  readonly handler?: MessageHandler;
  readonly payload?: object;
}

type Outcome = 'applied' | 'duplicate' | 'ignored' | 'dead-lettered';

/** The group membership a batch was fetched under: kept alive while retrying, and left when it ends. */
type MemberSession = Pick<EachBatchPayload, 'heartbeat' | 'isRunning'>;

/**
 * Serves `@EventPattern('<ce_type>')` handlers from Kafka. Unlike the stock Kafka transport it runs one
 * consumer group per topic (topics never wait on each other), applies each event in one database
 * transaction with its inbox row, commits the offset only after that transaction, retries with
 * bounded backoff and dead-letters what cannot succeed, so a poison message never stalls its partition.
 */
export class KafkaEventTransport extends Server implements CustomTransportStrategy {
  private readonly consumers: SupervisedConsumer[] = [];
  private readonly retry: RetryPolicy;
  private dlqProducer?: ReplaceableProducer;
  private running = false;
  private readonly dlq: string;
  private readonly runLimit: number;
  private readonly attempts: ConsumerAttempts;

  constructor(private readonly options: KafkaEventTransportOptions) {
    super();
    this.attempts = new ConsumerAttempts(options.dataSource);
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.dlq = `${options.topicPrefix ?? ''}${dlqTopic(options.service)}`;
    this.runLimit = options.maxMessagesPerTransaction ?? DEFAULT_RUN_LIMIT;
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
    await Promise.all(this.consumers.map((consumer) => consumer.stop()));
    this.consumers.length = 0;
    await this.dlqProducer?.disconnect();
  }

  /** Each topic's consumer: whether it consumes, and how often it was replaced (for readiness). */
  consumerStatuses(): ConsumerStatus[] {
    return this.consumers.map((consumer) => consumer.status);
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
      const handlers = byTopic.get(topic) ?? new Map<string, MessageHandler>();
      byTopic.set(topic, handlers);
      handlers.set(type, handler);
    }
    return byTopic;
  }

  private async start(): Promise<void> {
    const { kafka } = this.options;
    this.running = true;
    const byTopic = this.topicsToHandlers();
    await ensureTopics(kafka, [...byTopic.keys(), this.dlq], this.options.numPartitions);
    this.dlqProducer = new ReplaceableProducer({
      kafka,
      role: 'dead-letter',
      onReplaced: (role, reason) => this.options.observer?.producerReplaced(role, reason),
    });
    await this.dlqProducer.connect();

    for (const [topic, handlers] of byTopic) {
      const groupId = `${this.options.topicPrefix ?? ''}waybill.${this.options.service}.${topic}`;
      const sessionTimeout = this.options.sessionTimeoutMs ?? 30_000;
      const consumer = new SupervisedConsumer({
        kafka,
        topic,
        groupId,
        config: { sessionTimeout, heartbeatInterval: Math.max(500, Math.floor(sessionTimeout / 10)) },
        run: (member) => ({
          autoCommit: false,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
          eachBatch: (payload) => this.handleBatch(member, groupId, handlers, payload),
        }),
        restartBackoff: RESTART_BACKOFF,
        onRestart: (restarted) => this.options.observer?.consumerRestarted(restarted),
      });
      this.consumers.push(consumer);
      await consumer.start();
    }
  }

  /** `member`: the consumer that fetched the batch (a crashed one is replaced by another). */
  private async handleBatch(
    member: Consumer,
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
      if (settled === undefined) {
        return;
      }
      const offset = (BigInt(settled) + 1n).toString();
      settled = undefined;
      sinceCommit = 0;
      await member.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset }]);
    };
    const settle = async (message: KafkaMessage, outcome: Outcome): Promise<void> => {
      resolveOffset(message.offset);
      settled = message.offset;
      this.options.observer?.settled(messageType(message), outcome);
      this.onMessageSettled?.(outcome, {
        topic: batch.topic,
        partition: batch.partition,
        offset: message.offset,
      });
      // After a death every message is committed as it settles, so the next start begins at the
      // message that was being handled, and its starts are counted.
      if (++sinceCommit >= (afterDeath ? 1 : COMMIT_EVERY)) {
        await commit();
      }
    };
    const { messages } = batch;
    const at: PartitionAt = { consumer: groupId, topic: batch.topic, partition: batch.partition };
    const range =
      messages.length > 0
        ? { first: messages[0].offset, last: messages[messages.length - 1].offset }
        : undefined;
    // A range an earlier start of this partition left unfinished: the process died in it.
    const afterDeath = range
      ? await this.beginBatch(at, range.first, range.last, { heartbeat, isRunning })
      : false;
    let next = 0;
    try {
      let limit = afterDeath ? 1 : this.runLimit;
      let failedInRun: { readonly error: unknown } | undefined;
      while (next < messages.length) {
        if (!isRunning() || isStale() || !this.running) {
          break;
        }
        if (afterDeath) {
          const message = messages[next];
          const starts = await this.attempts.beginMessage(at, message.offset);
          if (starts >= this.retry.maxAttempts) {
            const origin: KafkaOrigin = {
              topic: batch.topic,
              partition: batch.partition,
              offset: message.offset,
            };
            const died = new Error(
              `the process died in each of the last ${starts} attempts to handle this message`,
            );
            await this.deadLetter(groupId, message, origin, died, starts, 'HANDLER.PROCESS_DIED');
            await settle(message, 'dead-lettered');
            next += 1;
            continue;
          }
        }
        // Under load a batch holds many messages: apply a run of them in one transaction (one
        // BEGIN/COMMIT and one inbox statement instead of one each per message). If a message in
        // the run fails, nothing of the run is kept: the messages before it are applied again as
        // a shorter run, and the failing one alone, with its own retries and dead letter, exactly
        // as if it had come by itself.
        const run = await this.readableRun(handlers, messages, next, limit);
        limit = afterDeath ? 1 : this.runLimit;
        if (run.length > 1) {
          const result = await this.applyTogether(groupId, run, batch.topic, batch.partition);
          if ('outcomes' in result) {
            for (const [index, item] of run.entries()) {
              await settle(item.message, result.outcomes[index]);
            }
            next += run.length;
            await heartbeat();
            continue;
          }
          if (result.failedAt >= 2) {
            limit = result.failedAt;
            continue;
          }
          if (result.handlerError && result.failedAt === 0) {
            failedInRun = result.handlerError;
          }
        }
        const message = messages[next];
        const origin: KafkaOrigin = {
          topic: batch.topic,
          partition: batch.partition,
          offset: message.offset,
        };
        // Already decoded and validated as the run's first message: not done a second time.
        const readable = run[0]?.message === message ? run[0] : undefined;
        const outcome = await this.handleMessage(
          groupId,
          handlers,
          message,
          origin,
          { heartbeat, isRunning },
          {
            readable,
            failedInRun,
          },
        );
        failedInRun = undefined;
        await settle(message, outcome);
        next += 1;
        await heartbeat();
      }
    } finally {
      // Ended early with the process alive: no death to count in what is left of the range.
      if (range && next < messages.length) {
        await this.attempts.abandon(at, range.first, range.last).catch(() => undefined);
      }
      const last = settled;
      await commit();
      if (last !== undefined) {
        const behind = BigInt(batch.highWatermark) - BigInt(last) - 1n;
        this.options.observer?.lag(batch.topic, batch.partition, Number(behind > 0n ? behind : 0n));
      }
    }
  }

  /** Writes the batch's range as in progress, waiting while the database is unavailable. */
  private async beginBatch(
    at: PartitionAt,
    first: string,
    last: string,
    session: MemberSession,
  ): Promise<boolean> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.attempts.beginBatch(at, first, last);
      } catch (error) {
        if (!isDatabaseUnavailable(error) || !this.running || !session.isRunning()) {
          throw error;
        }
        await this.pause(backoffMs(this.retry, attempt), session);
      }
    }
  }

  /**
   * The longest run (at most `limit`) of messages from `start` that are readable CloudEvents
   * with valid payloads and may share a transaction; stops before the first that is not (which
   * then goes alone: to the DLQ, or to its own transaction).
   */
  private async readableRun(
    handlers: Map<string, MessageHandler>,
    messages: readonly KafkaMessage[],
    start: number,
    limit: number,
  ): Promise<ReadableMessage[]> {
    const run: ReadableMessage[] = [];
    for (let index = start; index < messages.length && run.length < limit; index += 1) {
      const message = messages[index];
      try {
        const event = decodeCloudEvent(message);
        const handler = handlers.get(event.type);
        if (!handler) {
          if (!this.options.registry.definition(event.type)) {
            break;
          }
          run.push({ message, event });
          continue;
        }
        if (needsOwnTransaction(handler)) {
          break;
        }
        const payload = await this.options.registry.parse(event.type, event.data);
        run.push({ message, event, handler, payload });
      } catch {
        break;
      }
    }
    return run;
  }

  /**
   * One transaction for the whole run. If it fails nothing is kept, and `failedAt` says which
   * message's handler failed (0 when the failure was not a handler's, e.g. the database).
   */
  private async applyTogether(
    groupId: string,
    run: readonly ReadableMessage[],
    topic: string,
    partition: number,
  ): Promise<{ outcomes: Outcome[] } | { failedAt: number; handlerError?: { readonly error: unknown } }> {
    const handled = run.filter((item) => item.handler);
    if (handled.length === 0) {
      return { outcomes: run.map(() => 'ignored') };
    }
    // Which handler was running when it failed; 0 when the failure was not a handler's.
    let failedAt = 0;
    let inHandler = false;
    try {
      const outcomes = await this.options.dataSource.transaction(async (manager) => {
        const claimed = await claimInboxEntries(
          manager,
          groupId,
          handled.map((item) => ({ id: item.event.id, type: item.event.type })),
        );
        const outcomes: Outcome[] = [];
        for (const [index, item] of run.entries()) {
          if (!item.handler) {
            outcomes.push('ignored');
            continue;
          }
          // delete: a second copy of the same event in the run is a duplicate, not a second effect
          if (!claimed.delete(item.event.id.toLowerCase())) {
            outcomes.push('duplicate');
            continue;
          }
          const origin: KafkaOrigin = { topic, partition, offset: item.message.offset };
          failedAt = index;
          inHandler = true;
          await this.invoke(item.handler, item.payload, item.event, manager, origin);
          inHandler = false;
          outcomes.push('applied');
        }
        return outcomes;
      });
      return { outcomes };
    } catch (error) {
      this.logger.debug?.(
        `a run of ${run.length} messages on ${topic}/${partition} failed at ${failedAt}: ${describeError(error)}`,
      );
      return inHandler ? { failedAt, handlerError: { error } } : { failedAt: 0 };
    }
  }

  private async handleMessage(
    groupId: string,
    handlers: Map<string, MessageHandler>,
    message: KafkaMessage,
    origin: KafkaOrigin,
    session: MemberSession,
    known: {
      /** The message as readableRun already read it. */
      readonly readable?: ReadableMessage;
      /** Its handler already failed once in a run: that was its first attempt. */
      readonly failedInRun?: { readonly error: unknown };
    } = {},
  ): Promise<Outcome> {
    const { readable } = known;
    if (readable) {
      if (!readable.handler || !readable.payload) {
        return 'ignored';
      }
      return this.applyWithRetries(groupId, message, origin, session, {
        event: readable.event,
        handler: readable.handler,
        payload: readable.payload,
        failedInRun: known.failedInRun,
      });
    }
    let event: CloudEvent<unknown>;
    let payload: object;
    let handler: MessageHandler | undefined;
    try {
      event = decodeCloudEvent(message);
      handler = handlers.get(event.type);
      if (!handler && !this.options.registry.definition(event.type)) {
        throw new ContractViolation('EVENT.UNKNOWN_TYPE', `unknown event type ${event.type}`);
      }
      if (!handler) {
        return 'ignored';
      } // a known event on this topic that this service does not need
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

    return this.applyWithRetries(groupId, message, origin, session, {
      event,
      handler,
      payload,
      failedInRun: known.failedInRun,
    });
  }

  /** Applies a readable message with bounded retries; what keeps failing goes to the DLQ. */
  private async applyWithRetries(
    groupId: string,
    message: KafkaMessage,
    origin: KafkaOrigin,
    session: MemberSession,
    work: {
      readonly event: CloudEvent<unknown>;
      readonly handler: MessageHandler;
      readonly payload: object;
      readonly failedInRun?: { readonly error: unknown };
    },
  ): Promise<Outcome> {
    const { event, handler, payload } = work;
    let attempt = 0;
    let pending = work.failedInRun;
    for (;;) {
      try {
        if (pending) {
          throw pending.error;
        }
        return await this.applyOnce(groupId, handler, event, payload, origin);
      } catch (error) {
        pending = undefined;
        const verdict = judgeFailure(error, attempt + 1, this.retry);
        if (verdict.action === 'dead-letter') {
          await this.deadLetter(groupId, message, origin, error, attempt + 1, verdict.reason);
          return 'dead-lettered';
        }
        if (verdict.counts) {
          attempt += 1;
        }
        // Shutting down, or this member left its group (a replacement will fetch the message
        // again): leave the offset uncommitted.
        if (!this.running || !session.isRunning()) {
          throw error;
        }
        this.options.observer?.retried(event.type);
        this.logger.warn(
          `${event.type} ${event.id} at ${origin.topic}/${origin.partition}@${origin.offset} failed ` +
            `(attempt ${attempt}${verdict.counts ? '' : ', database unavailable'}): ${describeError(error)}`,
        );
        await this.pause(backoffMs(this.retry, Math.max(attempt, 1)), session);
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
      if (!(await claimInboxEntry(manager, groupId, event.id, event.type))) {
        return 'duplicate';
      }
      await this.invoke(handler, payload, event, manager, origin);
      return 'applied';
    });
  }

  /** Runs one handler inside the caller's transaction, timed for the metrics. */
  private async invoke(
    handler: MessageHandler,
    payload: unknown,
    event: CloudEvent<unknown>,
    manager: EntityManager,
    origin: KafkaOrigin,
  ): Promise<void> {
    const started = performance.now();
    // The handler continues the trace of the work that published the event.
    await inSpan(
      {
        name: `${event.type} process`,
        kind: SpanKind.CONSUMER,
        parent: { traceparent: event.traceparent },
        correlationId: event.correlationid ?? event.id,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.destination.name': origin.topic,
          'messaging.message.id': event.id,
          'messaging.kafka.offset': Number(origin.offset),
        },
      },
      async () => {
        const result: unknown = await handler(
          payload,
          new EventContext([event, manager, this.options.outbox, origin]),
        );
        if (isObservable(result)) {
          await lastValueFrom(result, { defaultValue: undefined });
        }
        this.logger.debug?.(
          `${event.type} ${event.id} handled (${origin.topic}/${origin.partition}@${origin.offset})`,
        );
      },
    );
    this.options.observer?.handled(event.type, (performance.now() - started) / 1000);
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
    this.options.observer?.deadLettered(reason);
    this.logger.warn(
      `dead-lettering ${origin.topic}/${origin.partition}@${origin.offset} to ${this.dlq}: ${letter.reason}: ${letter.error}`,
    );
    const producer = this.dlqProducer;
    if (!producer) {
      // Only before listen() connected it; throwing keeps the offset, so the message comes back.
      throw new Error(`the dead-letter producer for ${this.dlq} is not connected`);
    }
    await producer.send({
      topic: this.dlq,
      acks: -1,
      messages: [deadLetterMessage(message, letter)],
    });
  }

  /** Waits between attempts while keeping the group membership alive. */
  private async pause(ms: number, session: MemberSession): Promise<void> {
    const until = Date.now() + ms;
    while (this.running && session.isRunning() && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, until - Date.now())));
      await session.heartbeat().catch(() => undefined);
    }
  }
}

/** Errors are usually Errors; Nest's RPC layer may hand over a plain `{ message }` object instead. */
function describeError(error: unknown): string {
  if (error instanceof Error) {
    return error.message;
  }
  if (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { message?: unknown }).message === 'string'
  ) {
    return (error as { message: string }).message;
  }
  return typeof error === 'string' ? error : JSON.stringify(error);
}
