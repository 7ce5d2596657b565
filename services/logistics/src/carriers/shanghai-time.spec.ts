import { parseShanghaiTime } from './shanghai-time';

describe('parseShanghaiTime (Asia/Shanghai wall clock → UTC)', () => {
  it('takes eight hours off, across midnight, the year end and a leap day', () => {
    expect(parseShanghaiTime('2024-05-01 12:34:56').toISOString()).toBe('2024-05-01T04:34:56.000Z');
    expect(parseShanghaiTime('2024-01-01 07:59:59').toISOString()).toBe('2023-12-31T23:59:59.000Z');
    expect(parseShanghaiTime('2024-03-01 03:00:00').toISOString()).toBe('2024-02-29T19:00:00.000Z');
    expect(parseShanghaiTime('2024-02-29 08:00:00').toISOString()).toBe('2024-02-29T00:00:00.000Z');
  });

  it('uses +08:00 in summer too (no daylight saving since 1991)', () => {
    expect(parseShanghaiTime('2025-07-15 20:00:00').toISOString()).toBe('2025-07-15T12:00:00.000Z');
  });

  it.each([
    ['an ISO time with T', '2024-05-01T12:34:56'],
    ['a time with an offset', '2024-05-01 12:34:56+08:00'],
    ['a time without seconds', '2024-05-01 12:34'],
    ['milliseconds', '2024-05-01 12:34:56.123'],
    ['surrounding spaces', ' 2024-05-01 12:34:56'],
    ['an empty string', ''],
  ])('refuses %s', (_, value) => {
    expect(() => parseShanghaiTime(value, 'actionTime')).toThrow(
      /^actionTime must be yyyy-MM-dd HH:mm:ss \(Asia\/Shanghai\), got "/,
    );
  });

  it.each([
    ['February 30', '2025-02-30 10:00:00'],
    ['February 29 of a common year', '2025-02-29 10:00:00'],
    ['month 13', '2025-13-01 10:00:00'],
    ['hour 24', '2025-05-01 24:00:00'],
    ['second 60', '2025-05-01 23:59:60'],
    ['a year before 1970', '1969-12-31 23:00:00'],
  ])('refuses %s as no real time', (_, value) => {
    expect(() => parseShanghaiTime(value, 'ftime')).toThrow(`ftime is not a real date and time: "${value}"`);
  });

  it('refuses what is not a string, naming its type, and cuts long input in the message', () => {
    expect(() => parseShanghaiTime(undefined)).toThrow(
      'the time must be yyyy-MM-dd HH:mm:ss (Asia/Shanghai), got undefined',
    );
    expect(() => parseShanghaiTime(1716361595)).toThrow(/got number$/);
    expect(() => parseShanghaiTime('x'.repeat(500))).toThrow(/got "x{40}"…$/);
  });
});
