import { IsString } from 'class-validator';
import { EventContract } from '@waybill/contracts';

@EventContract({
  type: 'waybill.bench.payload.v1',
  topic: 'waybill.bench.events',
  description: 'benchmark payload',
})
export class BenchPayloadV1 {
  @IsString()
  blob!: string;
}

export const RECORD_SIZE = 1024;

/** `{"blob":"…"}` is 1 KB on the wire. */
export function benchPayload(): BenchPayloadV1 {
  return { blob: 'x'.repeat(RECORD_SIZE - 12) };
}
