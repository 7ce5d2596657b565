import { readFileSync } from 'node:fs';

/* eslint-disable @typescript-eslint/no-require-imports -- kafkajs internals have no typings */
const Encoder = require('kafkajs/src/protocol/encoder') as new () => EncoderLike;
const groupMessagesPerPartition = require('kafkajs/src/producer/groupMessagesPerPartition') as (args: {
  topic: string;
  partitionMetadata: { partitionId: number }[];
  messages: { key: string; value: string }[];
  partitioner: (args: { message: { key: string } }) => number;
}) => Record<string, { key: string; value: string }[]>;
/* eslint-enable @typescript-eslint/no-require-imports */

interface EncoderLike {
  writeInt32(value: number): EncoderLike;
  writeVarIntString(value: string): EncoderLike;
  writeBytes(value: Buffer): EncoderLike;
  readonly buffer: Buffer;
}

describe('the kafkajs patch (patches/kafkajs+2.2.4.patch)', () => {
  it('is applied by npm install', () => {
    const source = readFileSync(require.resolve('kafkajs/src/protocol/encoder'), 'utf8');
    expect(source).toContain('Buffer.allocUnsafe(Encoder.nextPowerOfTwo(initialSize))');
    expect(source).not.toMatch(/Buffer\.alloc\(/);
  });

  it('encodes exactly the bytes written, with nothing left over from a reused pool buffer', () => {
    // Dirty the pool first: uninitialised memory would show up as stray bytes.
    Buffer.allocUnsafe(4000).fill(0xab);
    const big = Buffer.alloc(3000, 7);
    const encoded = new Encoder().writeInt32(258).writeVarIntString('ce_id').writeBytes(big).buffer;
    const expected = Buffer.concat([
      Buffer.from([0, 0, 1, 2]),
      Buffer.from([10]), // zig-zag varint of the length 5
      Buffer.from('ce_id'),
      Buffer.from([0, 0, 0x0b, 0xb8]), // int32 length 3000
      big,
    ]);
    expect(encoded.equals(expected)).toBe(true);
  });

  it('groups messages per partition keeping their order', () => {
    const messages = Array.from({ length: 300 }, (_, i) => ({ key: `k${i % 3}`, value: String(i) }));
    const grouped = groupMessagesPerPartition({
      topic: 't',
      partitionMetadata: [{ partitionId: 0 }, { partitionId: 1 }, { partitionId: 2 }],
      messages,
      partitioner: ({ message }) => Number(message.key.slice(1)),
    });
    for (const partition of [0, 1, 2]) {
      expect(grouped[partition]!.map((message) => Number(message.value))).toEqual(
        messages.map((_, i) => i).filter((i) => i % 3 === partition),
      );
    }
  });
});
