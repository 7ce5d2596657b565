import { Logger } from '@nestjs/common';
import { Kafka, Producer, ProducerBatch, ProducerConfig, ProducerRecord, RecordMetadata } from 'kafkajs';

/** Why a producer was replaced: the broker's error type (`OUT_OF_ORDER_SEQUENCE_NUMBER`, …) or the error's name. */
export type ProducerReplacementReason = string;

export interface ReplaceableProducerOptions {
  readonly kafka: Kafka;
  /** Which of the service's producers this is (`relay`, `dead-letter`): for logs and metrics. */
  readonly role: string;
  readonly config?: ProducerConfig;
  /** Told each time a failed producer is thrown away; the next send makes a new one. */
  readonly onReplaced?: (role: string, reason: ProducerReplacementReason) => void;
}

/**
 * An idempotent kafkajs producer that is thrown away after a send that failed, so the next send
 * starts with a new producer id and sequence numbers from 0.
 *
 * Why: a send that fails (a broker killed or stalled mid-request, a leader moving) leaves it
 * unknown what the broker wrote. kafkajs keeps its sequence numbers where they were, and when the
 * caller sends again from its stored position — usually with more records than before — the broker
 * holds a later sequence for that producer and answers OUT_OF_ORDER_SEQUENCE_NUMBER, to that batch
 * and every one after it: kafkajs never bumps its epoch (tulios/kafkajs#598), where Java's client
 * does (KIP-360). A new producer id cannot be out of sequence. Anything sent twice this way is a
 * duplicate the consumers' inbox absorbs, exactly like a batch re-sent after a relay crash.
 *
 * A new producer also gets a fresh connection set and metadata, which is what a producer whose
 * broker died needs as well. Sends may overlap (the dead-letter path sends from several
 * partitions at once): a failure throws away only the producer that send used, and sends already
 * in flight on it finish or fail there, under its own producer id.
 */
export class ReplaceableProducer {
  private readonly logger: Logger;
  private current?: Producer;
  private connecting?: Promise<Producer>;
  private replaced = 0;

  constructor(private readonly options: ReplaceableProducerOptions) {
    this.logger = new Logger(`kafka-producer:${options.role}`);
  }

  /** How many producers were thrown away since start. */
  get replacements(): number {
    return this.replaced;
  }

  /** Connects now (a service's first send should not pay for it); a failure is left for the next send. */
  async connect(): Promise<void> {
    await this.producer();
  }

  send(record: ProducerRecord): Promise<RecordMetadata[]> {
    return this.withProducer((producer) => producer.send(record));
  }

  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    return this.withProducer((producer) => producer.sendBatch(batch));
  }

  async disconnect(): Promise<void> {
    const producer = this.current ?? (await this.connecting?.catch(() => undefined));
    this.current = undefined;
    this.connecting = undefined;
    await producer?.disconnect().catch(() => undefined);
  }

  private async withProducer<T>(send: (producer: Producer) => Promise<T>): Promise<T> {
    const producer = await this.producer();
    try {
      return await send(producer);
    } catch (error) {
      this.discard(producer, error);
      throw error;
    }
  }

  private producer(): Promise<Producer> {
    if (this.current) {
      return Promise.resolve(this.current);
    }
    this.connecting ??= (async () => {
      const producer = this.options.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        ...this.options.config,
      });
      try {
        await producer.connect();
      } catch (error) {
        await producer.disconnect().catch(() => undefined);
        throw error;
      }
      this.current = producer;
      return producer;
    })().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private discard(producer: Producer, error: unknown): void {
    if (this.current !== producer) {
      return;
    }
    this.current = undefined;
    this.replaced += 1;
    const reason = replacementReason(error);
    this.logger.warn(
      `a send failed (${reason}: ${(error as Error).message}); the next send uses a new producer (new producer id)`,
    );
    this.options.onReplaced?.(this.options.role, reason);
    // Its requests have all settled (the send failed); closing it must not hold up the next one.
    void producer.disconnect().catch(() => undefined);
  }
}

/** The broker's error type where kafkajs kept it (also under retries' `cause`), else the error's name. */
export function replacementReason(error: unknown): ProducerReplacementReason {
  for (let cause: unknown = error; cause; cause = (cause as { cause?: unknown }).cause) {
    const type = (cause as { type?: unknown }).type;
    if (typeof type === 'string' && type.length > 0) {
      return type;
    }
  }
  const name = (error as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name.length > 0 ? name : 'Error';
}
