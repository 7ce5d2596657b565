/** `npm start -- [flags]`: parsed strictly, so a typo is an error rather than a silent default. */
export interface StartFlags {
  /** Run the simulators (storefront, Stripe, EasyPost, supplier) beside the suite. */
  readonly simulate: boolean;
  /** Orders per second the storefront places. */
  readonly rate: number;
  /** Pause between a parcel's tracking updates and between a supplier's answers, in ms. */
  readonly stepMs: number;
  readonly help: boolean;
}

export const DEFAULT_FLAGS: StartFlags = { simulate: true, rate: 5, stepMs: 2000, help: false };

export const USAGE = `usage: npm start -- [--no-simulate] [--rate N] [--step-ms N]

  --no-simulate   run the four services alone: no storefront, Stripe, carrier or supplier simulators
  --rate N        orders per second the simulated storefront places (default ${DEFAULT_FLAGS.rate}; 0 < N <= 500)
  --step-ms N     ms between a parcel's tracking updates and between a supplier's answers (default ${DEFAULT_FLAGS.stepMs})
  --help          this text`;

export class FlagError extends Error {}

function numberFlag(name: string, raw: string | undefined, min: number, max: number): number {
  if (raw === undefined || raw.startsWith('--')) {
    throw new FlagError(`${name} needs a value`);
  }
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value <= min || value > max) {
    throw new FlagError(`${name} must be a number above ${min} and at most ${max}, not "${raw}"`);
  }
  return value;
}

/** Parses `process.argv.slice(2)`; throws FlagError with a message fit for the user. */
export function parseStartFlags(argv: readonly string[]): StartFlags {
  let flags = { ...DEFAULT_FLAGS };
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i].startsWith('--') ? argv[i].split(/=(.*)/s, 2) : [argv[i], undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (name) {
      case '--no-simulate':
        if (inline !== undefined) {
          throw new FlagError('--no-simulate takes no value');
        }
        flags = { ...flags, simulate: false };
        break;
      case '--rate':
        flags = { ...flags, rate: numberFlag('--rate', value(), 0, 500) };
        break;
      case '--step-ms':
        flags = { ...flags, stepMs: Math.round(numberFlag('--step-ms', value(), 0, 600_000)) };
        break;
      case '--help':
      case '-h':
        flags = { ...flags, help: true };
        break;
      default:
        throw new FlagError(`unknown ${name.startsWith('-') ? 'flag' : 'argument'} "${name}"`);
    }
  }
  return flags;
}
