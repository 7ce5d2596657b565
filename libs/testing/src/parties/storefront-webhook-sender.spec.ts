import { addDecimals, multiplyDecimal, postWebhook, recordingReceiver } from './storefront-webhook-sender';

describe('addDecimals and multiplyDecimal', () => {
  it('add exactly where floats would not', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(addDecimals(['0.1', '0.2'])).toBe('0.30');
    expect(addDecimals(['19.99', '-20.00'])).toBe('-0.01');
    expect(addDecimals(['-0.00', '0'])).toBe('0.00');
  });

  it('keep the largest scale, at least the minimum (KWD has three, JPY none)', () => {
    expect(addDecimals(['1.250', '0.5'])).toBe('1.750');
    expect(addDecimals(['1500', '300'], 0)).toBe('1800');
    expect(multiplyDecimal('0.105', 3, 3)).toBe('0.315');
    expect(multiplyDecimal('49.50', 2)).toBe('99.00');
    expect(multiplyDecimal('1500', 3, 0)).toBe('4500');
  });

  it('refuse what is not a decimal amount', () => {
    expect(() => addDecimals(['1e3'])).toThrow(/not a decimal/);
    expect(() => multiplyDecimal('12,50', 1)).toThrow(/not a decimal/);
  });
});

describe('postWebhook and recordingReceiver', () => {
  it('records what was sent and the answer, in the statuses given', async () => {
    const receiver = await recordingReceiver([503, 200], '{"ok":true}');
    try {
      expect(await postWebhook(receiver.url, { 'X-Test': '1' }, 'a')).toEqual({
        status: 503,
        answer: '{"ok":true}',
      });
      expect((await postWebhook(receiver.url, {}, 'b')).status).toBe(200);
      expect((await postWebhook(receiver.url, {}, 'c')).status).toBe(200);
      expect(receiver.received.map((got) => got.body)).toEqual(['a', 'b', 'c']);
      expect(receiver.received[0]?.headers['x-test']).toBe('1');
    } finally {
      await receiver.close();
    }
  });

  it('answers status 0 when nobody answers', async () => {
    expect(await postWebhook('http://127.0.0.1:1/', {}, 'x', 1000)).toEqual({ status: 0, answer: '' });
  });
});
