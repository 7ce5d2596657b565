import { fromIsoWithOffset, fromWallClock, fromWooGmt } from './times';

describe('fromIsoWithOffset (Shopify)', () => {
  it.each([
    ['2024-05-01T10:15:00-04:00', '2024-05-01T14:15:00Z'],
    ['2024-05-01T10:15:00+05:30', '2024-05-01T04:45:00Z'],
    ['2024-05-01T10:15:00Z', '2024-05-01T10:15:00Z'],
    ['2024-12-31T23:30:00-01:00', '2025-01-01T00:30:00Z'],
    ['2024-05-01T10:15:00.250+00:00', '2024-05-01T10:15:00.250Z'],
  ])('%s is %s', (input, utc) => {
    expect(fromIsoWithOffset(input)).toEqual({ ok: true, utc });
  });

  it.each([
    '2024-05-01T10:15:00',
    '2024-05-01 10:15:00+08:00',
    '2024-02-30T10:00:00Z',
    '2024-05-01T24:00:00Z',
    '2024-05-01T10:15:00+25:00',
    '',
  ])('refuses %j', (input) => {
    expect(fromIsoWithOffset(input)).toMatchObject({ ok: false, input });
  });
});

describe('fromWooGmt', () => {
  it('reads the offset-less _gmt field as UTC', () => {
    expect(fromWooGmt('2017-03-22T16:28:02')).toEqual({ ok: true, utc: '2017-03-22T16:28:02Z' });
  });

  it('refuses a time with an offset or a date alone: that is not the _gmt form', () => {
    expect(fromWooGmt('2017-03-22T16:28:02Z')).toMatchObject({ ok: false });
    expect(fromWooGmt('2017-03-22')).toMatchObject({ ok: false });
    expect(fromWooGmt('2017-13-22T16:28:02')).toMatchObject({
      ok: false,
      message: '"2017-13-22T16:28:02" is not a real calendar time',
    });
  });
});

describe('fromWallClock', () => {
  it('reads Youzan times as Asia/Shanghai, eight hours ahead of UTC', () => {
    expect(fromWallClock('2024-05-01 08:30:00')).toEqual({ ok: true, utc: '2024-05-01T00:30:00Z' });
    expect(fromWallClock('2024-01-01 07:59:59')).toEqual({ ok: true, utc: '2023-12-31T23:59:59Z' });
  });

  it('uses the connection’s zone, with its daylight saving time', () => {
    expect(fromWallClock('2024-07-01 12:00:00', 'Europe/Berlin')).toEqual({
      ok: true,
      utc: '2024-07-01T10:00:00Z',
    });
    expect(fromWallClock('2024-01-15 12:00:00', 'Europe/Berlin')).toEqual({
      ok: true,
      utc: '2024-01-15T11:00:00Z',
    });
  });

  it('refuses a skipped hour and takes the earlier of a repeated one', () => {
    expect(fromWallClock('2024-03-31 02:30:00', 'Europe/Berlin')).toMatchObject({
      ok: false,
      message: '"2024-03-31 02:30:00" does not exist in Europe/Berlin (the clocks skip it)',
    });
    expect(fromWallClock('2024-10-27 02:30:00', 'Europe/Berlin')).toEqual({
      ok: true,
      utc: '2024-10-27T00:30:00Z',
    });
  });

  it('refuses other forms and unknown zones', () => {
    expect(fromWallClock('2024-05-01T08:30:00')).toMatchObject({ ok: false });
    expect(fromWallClock('2024/05/01 08:30:00')).toMatchObject({ ok: false });
    expect(fromWallClock('2024-05-01 08:30:00', 'Mars/Olympus')).toMatchObject({
      ok: false,
      message: '"2024-05-01 08:30:00" cannot be read: "Mars/Olympus" is not a time zone',
    });
  });
});
