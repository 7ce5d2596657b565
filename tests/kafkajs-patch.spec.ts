import { readFileSync } from 'node:fs';
import path from 'node:path';

/* eslint-disable @typescript-eslint/no-require-imports -- kafkajs internals have no typings */
const Encoder = require('kafkajs/src/protocol/encoder') as new () => EncoderLike;
const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as (record: RecordInput) => EncoderLike;
const groupMessagesPerPartition = require('kafkajs/src/producer/groupMessagesPerPartition') as (args: {
  topic: string;
  partitionMetadata: { partitionId: number }[];
  messages: { key: string; value: string }[];
  partitioner: (args: { message: { key: string } }) => number;
}) => Record<string, { key: string; value: string }[]>;
/* eslint-enable @typescript-eslint/no-require-imports */

interface RecordInput {
  offsetDelta: number;
  timestampDelta: number;
  key: string | Buffer | null;
  value: string | Buffer;
  headers: Record<string, string | Buffer | (string | Buffer)[]>;
}

/**
 * What unpatched kafkajs 2.2.4 encodes for these inputs (made by running its own Record and
 * Encoder from the npm tarball), so the rewritten record and varint encoders are held to the bytes.
 */
const ORIGINAL = JSON.parse(
  readFileSync(path.join(__dirname, 'fixtures/kafkajs-2.2.4-encodings.json'), 'utf8'),
) as { records: string[]; varints: [number, string][]; varlongs: [number, string][] };

const RECORDS: RecordInput[] = [
  {
    offsetDelta: 0,
    timestampDelta: 0,
    key: 'order-1',
    value: '{"a":1}',
    headers: { ce_id: 'abc', ce_type: 'waybill.order.placed.v1' },
  },
  { offsetDelta: 300, timestampDelta: 5, key: null, value: 'Grüße — ✓', headers: {} },
  {
    offsetDelta: 70000,
    timestampDelta: 2 ** 35,
    key: Buffer.from([1, 2, 3]),
    value: Buffer.alloc(20, 9),
    headers: { multi: ['x', 'yy'], buf: Buffer.from('zz') },
  },
  {
    offsetDelta: 1,
    timestampDelta: -1,
    key: 'k',
    value: 'v'.repeat(130),
    headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
  },
];

interface EncoderLike {
  writeVarInt(value: number): EncoderLike;
  writeVarLong(value: number): EncoderLike;
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
    expect(source).toContain('Straight into the buffer');
    const record = readFileSync(require.resolve('kafkajs/src/protocol/recordBatch/record/v0'), 'utf8');
    expect(record).toContain('headers written in place');
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

  it('encodes records, varints and varlongs byte for byte as unpatched kafkajs 2.2.4 did', () => {
    Buffer.allocUnsafe(4000).fill(0xab);
    expect(RECORDS.map((record) => Record(record).buffer.toString('hex'))).toEqual(ORIGINAL.records);
    for (const [value, hex] of ORIGINAL.varints) {
      expect([value, new Encoder().writeVarInt(value).buffer.toString('hex')]).toEqual([value, hex]);
    }
    for (const [value, hex] of ORIGINAL.varlongs) {
      expect([value, new Encoder().writeVarLong(value).buffer.toString('hex')]).toEqual([value, hex]);
    }
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
