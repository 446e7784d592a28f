import { parseRegNo, parseUscc } from '../identifiers/uscc.js';
import { SCIENTIFIC } from '../import/normalise.js';
import { today } from '../time/zone.js';
import {
  FILING_WORDS,
  ORG_FORM_WORDS,
  ORG_SET_UP_WORDS,
  ORG_WAY_WORDS,
  PARTY_MEMBER_WORDS,
  YES_NO_WORDS,
  memberCountIssue,
  orgContradictions,
  type AnnualReportRow,
} from './rows.js';

/**
 * The import's fast path for the annual-report row schema: the zod schema (annualReportRow) is the
 * definition, and this function is a version of it compiled by hand for the usual row, whose cells
 * are already in canonical form (an 18-character upper-case USCC, 2024, 2025-05-20, 3, 已报送, 是).
 * It returns exactly what the schema's parse returns for such a row, or undefined for any row it
 * is not sure of (a cell with spaces, full-width characters, another date form, any value the
 * schema would refuse): those go through the schema, which gives the value or the Chinese
 * messages. It never refuses a row itself. fast-rows.test.ts checks it against the schema.
 */

/** Out of the fast path: the row goes through the schema. */
const SLOW = Symbol('slow');
type Slow = typeof SLOW;

const blank = (v: string | undefined) => v === undefined || v === '';

function word<V>(words: Record<string, V>, v: string | undefined): V | undefined | Slow {
  if (blank(v)) return undefined;
  return Object.hasOwn(words, v) ? words[v] : SLOW;
}

function count(v: string | undefined, max: number): number | undefined | Slow {
  if (blank(v)) return undefined;
  if (v.length > 9 || !/^\d+$/.test(v)) return SLOW;
  const n = Number(v);
  return n > max ? SLOW : n;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
function date(v: string | undefined): string | undefined | Slow {
  if (blank(v)) return undefined;
  const m = ISO_DATE.exec(v);
  if (!m) return SLOW;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d || y < 1900 || t.getTime() > Date.now()) return SLOW;
  return v;
}

const CANONICAL_USCC = /^[0-9A-Z]{18}$/;
function uscc(v: string | undefined): string | undefined | Slow {
  if (blank(v)) return undefined;
  if (!CANONICAL_USCC.test(v) || SCIENTIFIC.test(v)) return SLOW;
  const r = parseUscc(v);
  return r.ok ? r.value : SLOW;
}

function regNo(v: string | undefined): string | undefined | Slow {
  if (blank(v)) return undefined;
  if (!/^\d{15}$/.test(v)) return SLOW;
  const r = parseRegNo(v);
  return r.ok ? r.value : SLOW;
}

/** The annual-report schema's value for a row of canonical cells, or undefined when the schema must decide. */
export function fastAnnualReport(input: Record<string, string | undefined>): AnnualReportRow | undefined {
  const u = uscc(input.uscc);
  const r = regNo(input.regNo);
  if (u === SLOW || r === SLOW || (u === undefined && r === undefined)) return undefined;
  const yearText = input.year;
  if (yearText === undefined || !/^\d{4}$/.test(yearText)) return undefined;
  const year = Number(yearText);
  if (year < 2013 || year >= Number(today().slice(0, 4))) return undefined;
  const filing = blank(input.filingStatus) ? 'filed' : word(FILING_WORDS, input.filingStatus);
  const filedOn = date(input.filedOn);
  const employees = count(input.employees, 10_000_000);
  const counted = count(input.partyMembers, 1_000_000);
  const hasMembers = word(YES_NO_WORDS, input.hasMembers);
  const form = word(ORG_FORM_WORDS, input.partyOrgForm);
  const way = word(ORG_WAY_WORDS, input.partyOrgWay);
  const setOn = date(input.partyOrgSetOn);
  const repIsMember = word(PARTY_MEMBER_WORDS, input.repIsMember);
  const repIsSecretary = word(YES_NO_WORDS, input.repIsSecretary);
  const orgSetUp = word(ORG_SET_UP_WORDS, input.orgSetUp);
  if (
    filing === SLOW ||
    filedOn === SLOW ||
    employees === SLOW ||
    counted === SLOW ||
    hasMembers === SLOW ||
    form === SLOW ||
    way === SLOW ||
    setOn === SLOW ||
    repIsMember === SLOW ||
    repIsSecretary === SLOW ||
    orgSetUp === SLOW
  )
    return undefined;
  // 是否有党员 is read beside the count, as the schema does: a pair at odds with itself goes to the schema.
  if (memberCountIssue({ hasMembers, partyMembers: counted })) return undefined;
  const partyMembers = counted ?? (hasMembers === false ? 0 : undefined);
  if (partyMembers !== undefined && employees !== undefined && partyMembers > employees) return undefined;
  // A report at odds with itself is refused by the schema, which says why.
  if (orgContradictions({ orgSetUp, partyOrgForm: form, partyOrgWay: way, partyOrgSetOn: setOn }).length)
    return undefined;
  const row: AnnualReportRow & { orgSetUp?: boolean } = { year, filingStatus: filing ?? 'filed' };
  if (u !== undefined) row.uscc = u;
  if (r !== undefined) row.regNo = r;
  if (filedOn !== undefined) row.filedOn = filedOn;
  if (employees !== undefined) row.employees = employees;
  if (partyMembers !== undefined) row.partyMembers = partyMembers;
  const partyOrgForm = form ?? (orgSetUp === undefined ? undefined : orgSetUp ? 1 : 0);
  if (partyOrgForm !== undefined) row.partyOrgForm = partyOrgForm;
  if (way !== undefined) row.partyOrgWay = way;
  if (setOn !== undefined) row.partyOrgSetOn = setOn;
  if (repIsMember !== undefined) row.repIsMember = repIsMember;
  if (repIsSecretary !== undefined) row.repIsSecretary = repIsSecretary;
  if (orgSetUp !== undefined) row.orgSetUp = orgSetUp;
  return row;
}
