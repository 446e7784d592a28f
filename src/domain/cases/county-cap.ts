/**
 * The caps on what the public files with one county in a day, from every address together: self-
 * reports (党员报到, round 11), appeals (诉求) and plaque feedback (牌匾反映, round 12). The per-address
 * limit alone let many addresses fill a county's lists with invented submissions. The counts are
 * kept in the database (db/windows.ts), each door in its own bucket.
 */
export const COUNTY_CAP_WINDOW_MS = 24 * 3_600_000;

/** How many submissions past the cap this one is (1 for the first refused), or 0 when it is taken. */
export const overCap = (used: number, cap: number): number => Math.max(0, used - cap);

/**
 * Whether the n-th refused submission of a county's day gets its own line in the audit trail: the
 * first, then at each doubling (2, 4, 8, …), so a flood of n leaves about log2(n) lines yet its
 * size is in the trail (as scope probes are counted, domain/auth/scope-probe.ts).
 */
export const refusalWorthALine = (n: number): boolean => n >= 1 && Number.isInteger(Math.log2(n));
