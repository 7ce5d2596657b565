import { DEFAULT_FLAGS, FlagError, parseStartFlags } from './flags';

describe('npm start flags', () => {
  it('defaults to simulating at 5 orders/s', () => {
    expect(parseStartFlags([])).toEqual(DEFAULT_FLAGS);
    expect(DEFAULT_FLAGS).toMatchObject({ simulate: true, rate: 5 });
  });

  it('reads --no-simulate, --rate N, --rate=N and --step-ms', () => {
    expect(parseStartFlags(['--no-simulate'])).toMatchObject({ simulate: false });
    expect(parseStartFlags(['--rate', '20'])).toMatchObject({ rate: 20, simulate: true });
    expect(parseStartFlags(['--rate=0.5', '--step-ms', '200'])).toMatchObject({ rate: 0.5, stepMs: 200 });
    expect(parseStartFlags(['--help'])).toMatchObject({ help: true });
  });

  it.each([
    [['--rat', '5'], 'unknown flag "--rat"'],
    [['fast'], 'unknown argument "fast"'],
    [['--rate'], '--rate needs a value'],
    [['--rate', '--no-simulate'], '--rate needs a value'],
    [['--rate', 'ten'], '--rate must be a number above 0 and at most 500, not "ten"'],
    [['--rate', '0'], 'above 0'],
    [['--rate', '-3'], 'above 0'],
    [['--rate', '501'], 'at most 500'],
    [['--rate='], 'not ""'],
    [['--no-simulate=yes'], '--no-simulate takes no value'],
  ])('refuses %j: %s', (argv, message) => {
    expect(() => parseStartFlags(argv)).toThrow(FlagError);
    expect(() => parseStartFlags(argv)).toThrow(message);
  });
});
