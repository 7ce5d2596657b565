import { toYaml } from './yaml';

describe('toYaml', () => {
  it('writes nested maps and lists in block style', () => {
    expect(toYaml({ a: { b: [1, { c: true, d: null }], e: [] }, f: {} })).toBe(
      ['a:', '  b:', '    - 1', '    - c: true', '      d: null', '  e: []', 'f: {}', ''].join('\n'),
    );
  });

  it('quotes strings that YAML would read as something else', () => {
    expect(
      toYaml({ version: '3.0.0', flag: 'yes', ref: '#/components', text: 'a: b', empty: '', n: 'x' }),
    ).toBe(
      [
        "version: '3.0.0'",
        "flag: 'yes'",
        "ref: '#/components'",
        "text: 'a: b'",
        "empty: ''",
        "'n': x",
        '',
      ].join('\n'),
    );
  });

  it('uses double quotes for text with an apostrophe or an escape, like Prettier', () => {
    expect(toYaml({ a: "the storefront's id", b: 'tab\there', c: `it's "quoted" twice "here"` })).toBe(
      ['a: "the storefront\'s id"', 'b: "tab\\there"', `c: 'it''s "quoted" twice "here"'`, ''].join('\n'),
    );
  });

  it('leaves plain words unquoted and writes multi-line text as a literal block', () => {
    expect(toYaml({ $ref: 'waybill.order.events', text: 'one\ntwo' })).toBe(
      ['$ref: waybill.order.events', 'text: |-', '  one', '  two', ''].join('\n'),
    );
  });

  it('refuses what JSON cannot carry either', () => {
    expect(() => toYaml({ n: Number.NaN })).toThrow();
  });
});
