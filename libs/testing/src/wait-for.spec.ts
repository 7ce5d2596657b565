import { waitFor } from './wait-for';

describe('waitFor', () => {
  it('resolves with the first truthy value', async () => {
    let calls = 0;
    await expect(
      waitFor(() => (++calls >= 3 ? `done after ${calls}` : undefined), { intervalMs: 1 }),
    ).resolves.toBe('done after 3');
  });

  it('treats a throwing predicate as not yet, and names it on timeout', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('still booting');
        },
        { timeoutMs: 50, intervalMs: 10, description: 'the broker' },
      ),
    ).rejects.toThrow(/Timed out after 50 ms waiting for the broker .*last error: still booting/);
  });

  it('reports the last value seen', async () => {
    await expect(waitFor(() => 0, { timeoutMs: 20, intervalMs: 5, description: 'a count' })).rejects.toThrow(
      /last value: 0/,
    );
  });
});
