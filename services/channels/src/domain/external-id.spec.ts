import fc from 'fast-check';
import { externalIdAt, parseRawJson, RawJson, valueAt } from './external-id';

function parsed(text: string): RawJson {
  const result = parseRawJson(text);
  if (!result.ok) {
    throw new Error(result.message);
  }
  return result.json;
}

describe('externalIdAt', () => {
  it('keeps 9007199254740993, which JSON.parse alone turns into …992', () => {
    const json = parsed('{"id": 9007199254740993, "name": "#1001"}');
    expect((json.value as { id: number }).id).toBe(9007199254740992);
    expect(externalIdAt(json, '/id')).toEqual({ ok: true, id: '9007199254740993' });
  });

  it('finds ids nested in arrays and objects, beside strings that look like JSON', () => {
    const json = parsed(
      '{"note":"x\\"}, \\"id\\": 1","line_items":[{"id":18446744073709551615,"sku":"A"},{"id" : 5}],"a/b":{"~":7}}',
    );
    expect(externalIdAt(json, '/line_items/0/id')).toEqual({ ok: true, id: '18446744073709551615' });
    expect(externalIdAt(json, '/line_items/1/id')).toEqual({ ok: true, id: '5' });
    expect(externalIdAt(json, '/a~1b/~0')).toEqual({ ok: true, id: '7' });
    expect(valueAt(json.value, '/note')).toBe('x"}, "id": 1');
  });

  it('takes a string id as it is', () => {
    expect(externalIdAt(parsed('{"tid":"E20240501123456789"}'), '/tid')).toEqual({
      ok: true,
      id: 'E20240501123456789',
    });
  });

  it.each([
    ['{"id": 1.5}', '/id is 1.5, not a whole non-negative id'],
    ['{"id": 1e21}', '/id is 1e21, not a whole non-negative id'],
    ['{"id": -4}', '/id is -4, not a whole non-negative id'],
    ['{"id": null}', '/id is a null, not an id'],
    ['{"id": ""}', '/id is empty'],
    ['{}', '/id is missing, not an id'],
  ])('refuses %s', (text, message) => {
    expect(externalIdAt(parsed(text), '/id')).toEqual({ ok: false, pointer: '/id', message });
  });

  it('says when the body is not JSON', () => {
    expect(parseRawJson('{"id": 1')).toMatchObject({ ok: false });
  });

  it('reads back every 64-bit id it is given, wherever it stands in a document', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.jsonValue(),
        fc.constantFrom('', ' ', '\n  '),
        (id, other, space) => {
          const text = `{"before":${JSON.stringify(other)},${space}"order":{"id":${space}${id}${space}},"after":${JSON.stringify(other)}}`;
          expect(externalIdAt(parsed(text), '/order/id')).toEqual({ ok: true, id: id.toString() });
        },
      ),
    );
  });
});
