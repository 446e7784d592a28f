/**
 * Dates in the deployment's time zone (Asia/Shanghai unless XGZ_TIME_ZONE says otherwise): what
 * "today", "this month" and a period's end mean, whatever zone the host or the database runs in.
 * Pure: the zone is a parameter, defaulting to the one the app set at start-up (setTimeZone).
 */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';
let zone = DEFAULT_TIME_ZONE;

/** Whether Intl knows the zone name (IANA, e.g. Asia/Shanghai, UTC). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Sets the deployment's zone (config.timeZone), once at start-up. */
export function setTimeZone(tz: string): void {
  if (!isTimeZone(tz)) throw new Error(`未知的时区：${tz}`);
  zone = tz;
}
export const timeZone = (): string => zone;

const formatters = new Map<string, Intl.DateTimeFormat>();
type Parts = Readonly<{ y: number; m: number; d: number; h: number; min: number; s: number }>;
// The last instant's fields (to the second, all formatToParts resolves): an import checks every
// date cell against today(), and formatToParts (~6 µs) was an eighth of the import's CPU.
let last: { tz: string; second: number; parts: Parts } | null = null;
function parts(at: Date, tz: string): Parts {
  const second = Math.floor(at.getTime() / 1000);
  if (last && last.second === second && last.tz === tz) return last.parts;
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(tz, f);
  }
  const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, x.value]));
  const fields = {
    y: Number(p.year),
    m: Number(p.month),
    d: Number(p.day),
    h: Number(p.hour) % 24,
    min: Number(p.minute),
    s: Number(p.second),
  };
  last = { tz, second, parts: fields };
  return fields;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The calendar date (YYYY-MM-DD) at an instant in the zone. */
export function localDate(at: Date = new Date(), tz: string = zone): string {
  const p = parts(at, tz);
  return `${p.y}-${pad(p.m)}-${pad(p.d)}`;
}

/** "YYYY-MM-DD HH:mm" (or with ":ss") at an instant in the zone, as exports show times; '' for none. */
export function localDateTime(at: Date | string | null | undefined, seconds = false, tz: string = zone): string {
  if (at === null || at === undefined || at === '') return '';
  const p = parts(new Date(at), tz);
  return `${p.y}-${pad(p.m)}-${pad(p.d)} ${pad(p.h)}:${pad(p.min)}${seconds ? `:${pad(p.s)}` : ''}`;
}

/** The month (YYYY-MM) at an instant in the zone. */
export const localMonth = (at: Date = new Date(), tz: string = zone): string => localDate(at, tz).slice(0, 7);

/** The calendar day `n` days after `date` (YYYY-MM-DD; n may be negative). */
export const addDays = (date: string, n: number): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** The month `n` months after `month` (YYYY-MM; n may be negative). */
export function addMonths(month: string, n: number): string {
  const i = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1 + n;
  return `${Math.floor(i / 12)}-${pad((i % 12) + 1)}`;
}

/** The zone's offset from UTC at an instant, in milliseconds (Asia/Shanghai: +8 h). */
export function offsetMs(at: Date, tz: string = zone): number {
  const p = parts(at, tz);
  return Date.UTC(p.y, p.m - 1, p.d, p.h, p.min, p.s) - Math.floor(at.getTime() / 1000) * 1000;
}

/**
 * The instant a wall-clock time in the zone names ("YYYY-MM-DDTHH:mm[:ss[.sss]]", T or a space,
 * no offset): a time typed without a zone means the deployment's, not the host's (round 21: a
 * service account's expiry read in the host's zone, UTC, outlived the China time set by 8 hours).
 */
export function instantOfLocal(dateTime: string, tz: string = zone): Date {
  const guess = Date.parse(`${dateTime.replace(' ', 'T')}Z`);
  if (Number.isNaN(guess)) return new Date(NaN);
  // Twice: the offset at the first guess may differ from the offset at the local time (a DST change).
  const first = guess - offsetMs(new Date(guess), tz);
  return new Date(guess - offsetMs(new Date(first), tz));
}

/** The instant a local calendar day (YYYY-MM-DD) begins in the zone. */
export const startOfLocalDay = (date: string, tz: string = zone): Date => instantOfLocal(`${date}T00:00:00`, tz);

/** The last millisecond of a local calendar day (YYYY-MM-DD) in the zone. */
export const endOfLocalDay = (date: string, tz: string = zone): Date =>
  new Date(startOfLocalDay(addDays(date, 1), tz).getTime() - 1);

/** A deadline's instant for a day (YYYY-MM-DD): its last second in the zone, 23:59:59, as a clerk reads "by the 30th". */
export const deadlineOf = (date: string, tz: string = zone): Date =>
  new Date(startOfLocalDay(addDays(date, 1), tz).getTime() - 1000);

/** The instant a month (YYYY-MM) begins in the zone; its end is the next month's beginning. */
export const startOfMonth = (month: string, tz: string = zone): Date => startOfLocalDay(`${month}-01`, tz);

/**
 * A Date whose host-local calendar fields are the zone's date at `at` (noon, so no host offset moves
 * the day): for the older helpers that read getFullYear()/getMonth() of the date they are given.
 */
export const hostDateOf = (at: Date = new Date(), tz: string = zone): Date => new Date(`${localDate(at, tz)}T12:00:00`);

/**
 * Today in the zone (YYYY-MM-DD): the day a clerk's form means. It was the UTC day, which from
 * 00:00 to 08:00 China time is yesterday, so a date entered as today was refused as "in the future".
 */
export const today = (at: Date = new Date()): string => localDate(at);
