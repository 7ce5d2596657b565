import { Logger } from '@nestjs/common';
import { BackgroundLoop } from './background-loop';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('BackgroundLoop', () => {
  const logger = { error: jest.fn() } as unknown as Logger;

  it('runs once more right after the current run when kicked during it, never two at once', async () => {
    let running = 0;
    let most = 0;
    const gates = [deferred(), deferred()];
    let runs = 0;
    const secondDone = deferred();
    const loop = new BackgroundLoop(
      'test',
      60_000,
      async () => {
        running++;
        most = Math.max(most, running);
        const gate = gates[runs++];
        await gate?.promise;
        running--;
        if (runs === 2) {
          secondDone.resolve();
        }
      },
      logger,
    );
    loop.start();
    loop.kick();
    loop.kick(); // during the first run: one more run after it, not two, not at once
    loop.kick();
    gates[0].resolve();
    gates[1].resolve();
    await secondDone.promise;
    await loop.stop();
    expect(runs).toBe(2);
    expect(most).toBe(1);
  });

  it('logs a failed run instead of throwing, and does nothing once stopped', async () => {
    const work = jest.fn().mockRejectedValue(new Error('database down'));
    const loop = new BackgroundLoop('test', 60_000, work, logger);
    await loop.runOnce();
    expect(logger.error).toHaveBeenCalledWith('test failed: database down');
    await loop.stop();
    loop.kick();
    expect(work).toHaveBeenCalledTimes(1);
  });
});
