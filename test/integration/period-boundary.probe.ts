/**
 * Run by period-boundary.test.ts in a child process under a given host TZ: prints what the
 * deployment's calendar says at an instant (argv[2]), so the test compares hosts in UTC and in
 * Asia/Shanghai. Not a test file itself.
 */
import { newSince } from '../../src/domain/coverage/coverage.js';
import { closingMonth, dueOn, FORMS, periodEnded, periodOfDate } from '../../src/domain/reports/forms.js';
import { hostDateOf, localDate, localMonth, startOfMonth, addMonths } from '../../src/domain/time/zone.js';
import { nextTickIn, periodOf, trendStart } from '../../src/features/indicators/service.js';

const now = new Date(process.argv[2]);
const today = localDate(now);
const quarter = periodOfDate('quarter', today);
const previousQuarter = periodOfDate('quarter', `${addMonths(today.slice(0, 7), -3)}-01`);
process.stdout.write(
  JSON.stringify({
    hostZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    today,
    month: localMonth(now),
    snapshotMonth: periodOf(now),
    quarter,
    previousQuarterEnded: periodEnded('quarter', previousQuarter, today),
    quarterEnded: periodEnded('quarter', quarter, today),
    closingMonthOfQuarter: closingMonth('quarter', quarter),
    dueOn: dueOn(FORMS.xgz_core, quarter),
    newSince: newSince(hostDateOf(now)),
    trendStart: trendStart(3, now),
    nextMonthStarts: startOfMonth(addMonths(localMonth(now), 1)).toISOString(),
    nextTickInMs: nextTickIn(3_600_000, now),
  }),
);
