import { toForm } from './form-encoding';

describe('toForm', () => {
  it('encodes nested params the way Stripe reads them', () => {
    const form = toForm({
      amount: 5390,
      confirm: true,
      metadata: { order_id: 'o-1' },
      items: [{ price: 'p_1' }],
      skipped: undefined,
    });
    expect(form).toBe('amount=5390&confirm=true&metadata%5Border_id%5D=o-1&items%5B0%5D%5Bprice%5D=p_1');
    expect(new URLSearchParams(form).get('metadata[order_id]')).toBe('o-1');
  });
});
