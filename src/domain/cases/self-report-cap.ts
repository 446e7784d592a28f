/**
 * The cap on public self-reports (党员报到) one county takes in a day, from every address together
 * (round 11; round 10 left only the per-address limit, so many addresses could fill a county's
 * list of cases with invented reports). The count is kept in the database (db/windows.ts).
 */
export const SELF_REPORT_CAP_WINDOW_MS = 24 * 3_600_000;

/** How many reports past the cap this one is (1 for the first refused), or 0 when it is taken. */
export const overCap = (used: number, cap: number): number => Math.max(0, used - cap);

/**
 * Whether the n-th refused report of a county's day gets its own line in the audit trail: the
 * first, then at each doubling (2, 4, 8, …), so a flood of n leaves about log2(n) lines yet its
 * size is in the trail (as scope probes are counted, domain/auth/scope-probe.ts).
 */
export const refusalWorthALine = (n: number): boolean => n >= 1 && Number.isInteger(Math.log2(n));
