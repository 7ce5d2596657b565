import { Logger } from '@nestjs/common';
import { Consumer, ConsumerConfig, ConsumerRunConfig, Kafka, KafkaJSProtocolError } from 'kafkajs';
import { backoffMs, RetryPolicy } from './failure-policy';

/**
 * `consuming`: member of its group (or joining it after a rebalance, which kafkajs handles);
 * `restarting`: crashed and not yet back in its group; `stopped`: closed with the service.
 */
export type ConsumerState = 'starting' | 'consuming' | 'restarting' | 'stopped';

export interface ConsumerStatus {
  readonly topic: string;
  readonly groupId: string;
  readonly state: ConsumerState;
  /** Crashes since start, each followed by a new consumer. */
  readonly restarts: number;
  readonly lastError?: string;
}

export interface SupervisedConsumerOptions {
  readonly kafka: Kafka;
  readonly topic: string;
  readonly groupId: string;
  readonly config: Omit<ConsumerConfig, 'groupId' | 'retry'>;
  /** What to run on each consumer: the same handlers on every replacement. */
  readonly run: (consumer: Consumer) => ConsumerRunConfig;
  /** Backoff between a crash and the replacement, and between failed replacements. */
  readonly restartBackoff: RetryPolicy;
  readonly onRestart?: (topic: string, error: string) => void;
}

/**
 * One topic's consumer group member, replaced by a new consumer whenever kafkajs gives up on it.
 *
 * kafkajs restarts a crashed consumer only when the error is retriable. A member the group removed
 * while its process was frozen (a GC pause, a stopped VM, CPU throttling past the session timeout)
 * comes back to UNKNOWN_MEMBER_ID on its next heartbeat or commit, which kafkajs counts as
 * non-retriable: it disconnects and never consumes again while the process stays up. So every
 * crash is handled here instead, the same way: a fresh consumer (new member id, new connections
 * and metadata) joins the group after a backoff, and resumes from the committed offsets. What the
 * old member applied but did not commit comes again and is recognised by the inbox.
 */
export class SupervisedConsumer {
  private readonly logger: Logger;
  private current?: Consumer;
  private state: ConsumerState = 'starting';
  private restarts = 0;
  private failedRestarts = 0;
  private lastError?: string;
  private timer?: NodeJS.Timeout;

  constructor(private readonly options: SupervisedConsumerOptions) {
    this.logger = new Logger(`consumer:${options.topic}`);
  }

  get status(): ConsumerStatus {
    return {
      topic: this.options.topic,
      groupId: this.options.groupId,
      state: this.state,
      restarts: this.restarts,
      ...(this.lastError !== undefined && { lastError: this.lastError }),
    };
  }

  /**
   * The first start: a failure here fails the service's start, as a bad broker address should.
   * Only a topic whose metadata has not reached every broker yet (just created, a leader being
   * elected) is waited for, up to FIRST_START_ATTEMPTS tries with the restart backoff: on a
   * cluster of several brokers a service started beside its topics' creation sees that for a
   * moment, and kafkajs' subscribe does not retry it.
   */
  async start(): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.startConsumer();
        return;
      } catch (error) {
        if (!isTopicMetadataPending(error) || attempt >= FIRST_START_ATTEMPTS || this.stopped()) {
          throw error;
        }
        const delay = backoffMs(this.options.restartBackoff, attempt);
        this.logger.warn(
          `consumer of ${this.options.topic}: ${(error as Error).message}; subscribing again in ${delay} ms`,
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** A method, not a field read: it is asked again after every await. */
  private stopped(): boolean {
    return this.state === 'stopped';
  }

  async stop(): Promise<void> {
    this.state = 'stopped';
    clearTimeout(this.timer);
    const consumer = this.current;
    this.current = undefined;
    await consumer?.disconnect();
  }

  /**
   * Becomes the current consumer at once: kafkajs reports joining (and a crash while joining)
   * before `run` returns.
   */
  private async startConsumer(): Promise<void> {
    const consumer = this.options.kafka.consumer({
      ...this.options.config,
      groupId: this.options.groupId,
      // Every crash comes to `crashed`: kafkajs restarting some itself would leave two paths.
      retry: { restartOnFailure: () => Promise.resolve(false) },
    });
    this.current = consumer;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      if (this.current !== consumer || this.stopped()) {
        return;
      }
      this.state = 'consuming';
      this.failedRestarts = 0;
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => this.crashed(consumer, payload.error));
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [this.options.topic], fromBeginning: true });
      await consumer.run(this.options.run(consumer));
    } catch (error) {
      if (this.current === consumer) {
        this.current = undefined;
      }
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
  }

  private crashed(consumer: Consumer, error: Error): void {
    // A consumer being replaced (or closed) may still report its own end: only the current one counts.
    if (this.current !== consumer || this.stopped()) {
      return;
    }
    this.current = undefined;
    this.restarts += 1;
    this.lastError = `${error.name}: ${error.message}`;
    this.state = 'restarting';
    this.options.onRestart?.(this.options.topic, this.lastError);
    this.scheduleRestart(consumer);
  }

  private scheduleRestart(previous?: Consumer): void {
    const delay = backoffMs(this.options.restartBackoff, this.failedRestarts + 1);
    this.logger.warn(
      `consumer of ${this.options.topic} stopped (${this.lastError ?? 'unknown error'}); a new one joins ${this.options.groupId} in ${delay} ms`,
    );
    this.timer = setTimeout(() => void this.restart(previous), delay);
  }

  private async restart(previous?: Consumer): Promise<void> {
    if (this.stopped()) {
      return;
    }
    // kafkajs disconnected it before reporting the crash; this only makes sure nothing is left.
    await previous?.disconnect().catch(() => undefined);
    if (this.stopped()) {
      return;
    }
    try {
      await this.startConsumer();
    } catch (error) {
      if (this.stopped()) {
        return;
      }
      this.failedRestarts += 1;
      this.lastError = `${(error as Error).name}: ${(error as Error).message}`;
      this.scheduleRestart();
    }
  }
}

/** How often the first start tries again while its topic's metadata is pending (about 40 s in all). */
export const FIRST_START_ATTEMPTS = 8;

/** The broker knows of the topic but not yet everywhere: worth waiting for, unlike a bad address. */
export function isTopicMetadataPending(error: unknown): boolean {
  return (
    error instanceof KafkaJSProtocolError &&
    (error.type === 'UNKNOWN_TOPIC_OR_PARTITION' || error.type === 'LEADER_NOT_AVAILABLE')
  );
}
