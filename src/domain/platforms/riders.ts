/**
 * Riders counted per delivery station over time. Counts are taken now and then, so the number at
 * a date is the station's latest count on or before it; a station closed by then counts none, and
 * one never counted by then counts none (nothing is guessed).
 */
export type RiderCount = { stationId: number; asOf: string; riders: number };
export type StationSpan = { id: number; closedOn: string | null };

export function ridersAsOf(counts: RiderCount[], stations: StationSpan[], date: string): number {
  const closed = new Map(stations.map((s) => [s.id, s.closedOn]));
  const latest = new Map<number, RiderCount>();
  for (const c of counts) {
    if (c.asOf > date) continue;
    const prev = latest.get(c.stationId);
    if (!prev || prev.asOf < c.asOf) latest.set(c.stationId, c);
  }
  let n = 0;
  for (const [id, c] of latest) {
    const closedOn = closed.get(id);
    if (closedOn && closedOn <= date) continue;
    n += c.riders;
  }
  return n;
}

/** The last day of each of the n months up to the month of `today` (today itself for the current month), oldest first. */
export function monthEnds(n: number, today: string): string[] {
  const [y, m] = today.split('-').map(Number);
  const out: string[] = [];
  for (let i = n - 1; i >= 0; i--) {
    const end = new Date(Date.UTC(y, m - i, 0)).toISOString().slice(0, 10);
    out.push(i === 0 ? today : end);
  }
  return out;
}

/** The rider series the page draws: riders at each date. */
export function riderSeries(
  counts: RiderCount[],
  stations: StationSpan[],
  dates: string[],
): { date: string; riders: number }[] {
  return dates.map((date) => ({ date, riders: ridersAsOf(counts, stations, date) }));
}
