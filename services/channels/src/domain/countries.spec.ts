import { ISO_3166_ALPHA2, toCountryCode } from './countries';

describe('toCountryCode', () => {
  it('has every ISO 3166-1 entry once', () => {
    expect(ISO_3166_ALPHA2.size).toBe(249);
  });

  it.each([
    ['DE', 'DE'],
    ['de', 'DE'],
    ['DEU', 'DE'],
    ['chn', 'CN'],
    ['USA', 'US'],
    ['GBR', 'GB'],
    ['UK', 'GB'],
    ['Germany', 'DE'],
    ['  united   states ', 'US'],
    ['United States of America', 'US'],
    ['The Netherlands', 'NL'],
    ['Côte d’Ivoire', 'CI'],
    ['Cote d’Ivoire', 'CI'],
    ['South Korea', 'KR'],
    ['Hong Kong', 'HK'],
    ['China', 'CN'],
    ['中国', 'CN'],
    ['中国大陆', 'CN'],
    ['美国', 'US'],
    ['德国', 'DE'],
    ['日本', 'JP'],
    ['英国', 'GB'],
    ['法国', 'FR'],
    ['韩国', 'KR'],
    ['香港', 'HK'],
    ['中国香港特别行政区', 'HK'],
    ['台湾', 'TW'],
    ['新加坡', 'SG'],
  ])('%j is %s', (input, alpha2) => {
    expect(toCountryCode(input)).toEqual({ ok: true, alpha2 });
  });

  it.each([
    ['Atlantis', '"Atlantis" is not an ISO 3166-1 code or a country name Waybill knows'],
    ['XX', '"XX" is not an ISO 3166-1 code or a country name Waybill knows'],
    ['EU', '"EU" is not an ISO 3166-1 code or a country name Waybill knows'],
    ['ZZZ', '"ZZZ" is not an ISO 3166-1 code or a country name Waybill knows'],
    ['  ', 'the country is missing'],
  ])('refuses %j, naming it', (input, message) => {
    expect(toCountryCode(input)).toEqual({ ok: false, input, message });
  });

  it('calls a missing country missing', () => {
    expect(toCountryCode(null)).toMatchObject({ ok: false, message: 'the country is missing' });
    expect(toCountryCode(undefined)).toMatchObject({ ok: false, message: 'the country is missing' });
  });
});
