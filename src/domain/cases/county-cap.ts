/**
 * The caps on what the public files with one county in a day, from every address together: self-
 * reports (党员报到, round 11), appeals (诉求) and plaque feedback (牌匾反映, round 12). The per-address
 * limit alone let many addresses fill a county's lists with invented submissions. The counts are
 * kept in the database (db/windows.ts), each door in its own bucket.
 */
export const COUNTY_CAP_WINDOW_MS = 24 * 3_600_000;

/**
 * How many of a county's daily cap one client address (clientKey: an IPv4 address, an IPv6 /64) may
 * take: a tenth. The per-address limit is per minute only, so one address sending five a minute
 * filled a county's day of self-reports (200) in 40 minutes and of appeals (500) in 100, and every
 * rider of the county was refused until the next day (round 13). Past its share an address is
 * refused without spending the county's count; shutting a county's door now takes ten addresses.
 */
export const addressShare = (cap: number): number => Math.max(1, Math.ceil(cap / 10));

/** How many submissions past the cap this one is (1 for the first refused), or 0 when it is taken. */
export const overCap = (used: number, cap: number): number => Math.max(0, used - cap);

/**
 * Whether the n-th refused submission of a county's day gets its own line in the audit trail: the
 * first, then at each doubling (2, 4, 8, …), so a flood of n leaves about log2(n) lines yet its
 * size is in the trail (as scope probes are counted, domain/auth/scope-probe.ts).
 */
export const refusalWorthALine = (n: number): boolean => n >= 1 && Number.isInteger(Math.log2(n));
