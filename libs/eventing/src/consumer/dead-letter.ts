import { KafkaMessage } from 'kafkajs';

/** Headers a DLQ entry carries beside the original message's own (names are an operator contract). */
export const DLQ_HEADER = {
  reason: 'dlq_reason',
  error: 'dlq_error',
  topic: 'dlq_original_topic',
  partition: 'dlq_original_partition',
  offset: 'dlq_original_offset',
  attempts: 'dlq_attempts',
  consumer: 'dlq_consumer',
  failedAt: 'dlq_failed_at',
} as const;

export interface DeadLetter {
  readonly reason: string;
  readonly error: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly attempts: number;
  readonly consumer: string;
}

const MAX_ERROR_LENGTH = 2000;

/** The original key, value and headers, untouched, so the message can be replayed as it was. */
export function deadLetterMessage(message: KafkaMessage, letter: DeadLetter, now = new Date()) {
  return {
    key: message.key,
    value: message.value,
    headers: {
      ...message.headers,
      [DLQ_HEADER.reason]: letter.reason,
      [DLQ_HEADER.error]: letter.error.slice(0, MAX_ERROR_LENGTH),
      [DLQ_HEADER.topic]: letter.topic,
      [DLQ_HEADER.partition]: String(letter.partition),
      [DLQ_HEADER.offset]: letter.offset,
      [DLQ_HEADER.attempts]: String(letter.attempts),
      [DLQ_HEADER.consumer]: letter.consumer,
      [DLQ_HEADER.failedAt]: now.toISOString(),
    },
  };
}
