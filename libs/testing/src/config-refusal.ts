/**
 * The message a configuration is refused with, for config specs: `load` must throw, and a config
 * that loads fails the test instead of passing an assertion on an empty message.
 */
export function refusalOf(load: () => unknown): string {
  try {
    load();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}
