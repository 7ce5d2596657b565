/**
 * Platform times to UTC instants (RFC 3339 with "Z", as the contracts' IsTimestamp wants). Each
 * platform has its own convention, and a time read in the wrong zone is off by hours without any
 * error, so each parser accepts exactly its platform's form and refuses everything else.
 */

export type TimeResult =
  | { readonly ok: true; readonly utc: string }
  | { readonly ok: false; readonly input: string; readonly message: string };

const WITH_OFFSET = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const WOO_GMT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;
const WALL_CLOCK = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

interface Fields {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** Shopify `created_at`: ISO 8601 with an offset, e.g. `2024-05-01T10:15:00-04:00`. */
export function fromIsoWithOffset(input: string): TimeResult {
  const match = WITH_OFFSET.exec(input);
  if (!match) {
    return refuse(input, 'is not an ISO 8601 time with an offset (YYYY-MM-DDTHH:mm:ss±HH:MM)');
  }
  const fields = fieldsOf(match);
  const offset = match[8] ?? 'Z';
  const offsetMinutes = offset === 'Z' ? 0 : offsetOf(offset);
  if (!validFields(fields) || offsetMinutes === undefined) {
    return refuse(input, 'is not a real calendar time');
  }
  // Sub-second digits are kept to milliseconds; platforms send whole seconds anyway.
  const millis = Number(((match[7] ?? '.0').slice(1) + '00').slice(0, 3));
  return done(
    Date.UTC(fields.year, fields.month - 1, fields.day, fields.hour, fields.minute, fields.second, millis) -
      offsetMinutes * 60_000,
  );
}

/** WooCommerce `date_created_gmt`: `2017-03-22T16:28:02`, no offset, and it is GMT. */
export function fromWooGmt(input: string): TimeResult {
  const match = WOO_GMT.exec(input);
  if (!match) {
    return refuse(input, 'is not a WooCommerce GMT time (YYYY-MM-DDTHH:mm:ss without an offset)');
  }
  const fields = fieldsOf(match);
  if (!validFields(fields)) {
    return refuse(input, 'is not a real calendar time');
  }
  return done(Date.UTC(fields.year, fields.month - 1, fields.day, fields.hour, fields.minute, fields.second));
}

/**
 * A wall-clock `YYYY-MM-DD HH:mm:ss` in an IANA zone: Youzan and the other China platforms send
 * Asia/Shanghai time with no offset; a connection may name its own zone. A time that the zone skips
 * (spring forward) is refused; one it repeats (fall back) is read as the earlier of the two.
 */
export function fromWallClock(input: string, timeZone = 'Asia/Shanghai'): TimeResult {
  const match = WALL_CLOCK.exec(input);
  if (!match) {
    return refuse(input, 'is not a wall-clock time (YYYY-MM-DD HH:mm:ss)');
  }
  const fields = fieldsOf(match);
  if (!validFields(fields)) {
    return refuse(input, 'is not a real calendar time');
  }
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
  } catch {
    return refuse(input, `cannot be read: ${JSON.stringify(timeZone)} is not a time zone`);
  }
  const asUtc = Date.UTC(
    fields.year,
    fields.month - 1,
    fields.day,
    fields.hour,
    fields.minute,
    fields.second,
  );
  // Try the zone's offsets a day either side of the time; the candidates whose local reading is
  // the input are the answers. Two means a repeated hour, none a skipped one.
  const candidates = [-86_400_000, 0, 86_400_000]
    .map((shift) => asUtc - zoneOffset(format, asUtc + shift))
    .filter((instant, index, all) => all.indexOf(instant) === index)
    .filter((instant) => asUtc - zoneOffset(format, instant) === instant)
    .sort((a, b) => a - b);
  const earliest = candidates[0];
  if (earliest === undefined) {
    return refuse(input, `does not exist in ${timeZone} (the clocks skip it)`);
  }
  return done(earliest);
}

/** The zone's offset from UTC at an instant, in milliseconds (UTC+8 → 28 800 000). */
function zoneOffset(format: Intl.DateTimeFormat, instant: number): number {
  const part = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(format.formatToParts(instant).find((p) => p.type === type)?.value);
  const local = Date.UTC(
    part('year'),
    part('month') - 1,
    part('day'),
    part('hour'),
    part('minute'),
    part('second'),
  );
  return local - Math.floor(instant / 1000) * 1000;
}

function fieldsOf(match: RegExpExecArray): Fields {
  const n = (index: number): number => Number(match[index]);
  return { year: n(1), month: n(2), day: n(3), hour: n(4), minute: n(5), second: n(6) };
}

/** Date.UTC rolls 2024-02-30 over to March; a strict parser refuses it instead. */
function validFields(f: Fields): boolean {
  const date = new Date(Date.UTC(f.year, f.month - 1, f.day));
  return (
    f.year >= 1970 &&
    date.getUTCFullYear() === f.year &&
    date.getUTCMonth() === f.month - 1 &&
    date.getUTCDate() === f.day &&
    f.hour <= 23 &&
    f.minute <= 59 &&
    f.second <= 59
  );
}

function offsetOf(offset: string): number | undefined {
  const hours = Number(offset.slice(1, 3));
  const minutes = Number(offset.slice(4, 6));
  if (hours > 23 || minutes > 59) {
    return undefined;
  }
  return (offset.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}

function done(instant: number): TimeResult {
  return { ok: true, utc: new Date(instant).toISOString().replace('.000Z', 'Z') };
}

function refuse(input: string, why: string): TimeResult {
  return { ok: false, input, message: `${JSON.stringify(input)} ${why}` };
}
