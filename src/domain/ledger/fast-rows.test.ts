import { describe, expect, it } from 'vitest';
import { seededRandom } from '../random.js';
import { annualReportRow } from './rows.js';
import { fastAnnualReport } from './fast-rows.js';
import { USCC_ALPHABET, usccCheckChar } from '../identifiers/uscc.js';

/** A seeded generator, so a failure replays. */
const rng = (seed: number) => seededRandom(seed).next;

const uscc = (n: number) => {
  let body = '';
  for (let k = 0, m = n; k < 9; k++, m = Math.floor(m / 31)) body = USCC_ALPHABET[m % 31] + body;
  const first17 = `92320102${body}`;
  return first17 + usccCheckChar(first17);
};
const thisYear = new Date().getFullYear();

// Per field: canonical values (the fast path takes them) and values it must leave to the schema
// (spaces, full-width, other forms, invalid, prototype keys), all mixed at random below.
const CELLS: Record<string, string[]> = {
  uscc: [
    uscc(1),
    uscc(2),
    uscc(777),
    '',
    ' ' + uscc(3),
    uscc(4).toLowerCase(),
    uscc(5).slice(0, 17) + '0',
    '９２' + uscc(6).slice(2),
    '1E1234567890123456',
    '91350100M000100Y43',
    uscc(8).slice(0, 17),
  ],
  regNo: ['', '', '110108000000016', '110108000000017', '１１０１０８０００００００１６', 'abc'],
  year: [
    '2021',
    '2024',
    String(thisYear - 1),
    String(thisYear),
    '2012',
    ' 2023',
    '２０２３',
    '23',
    '2023.0',
    'constructor',
    '',
  ],
  filingStatus: [
    '',
    '已报送',
    '已公示',
    '逾期补报',
    '未报送',
    'late',
    ' 已报送',
    'LATE',
    '報送',
    'toString',
    '__proto__',
  ],
  filedOn: [
    '',
    '2024-05-20',
    '2023-02-28',
    '2024-02-29',
    '2023-02-29',
    '2024/5/20',
    '2024年5月20日',
    '20240520',
    `${thisYear + 1}-01-01`,
    '1899-12-31',
    '2024-13-01',
    ' 2024-05-20',
    '２０２４-05-20',
  ],
  employees: ['', '0', '3', '12', '007', '10000000', '10000001', '-1', '3.5', '３', ' 4', '1e3', '99999999999'],
  partyMembers: ['', '0', '1', '3', '20', '1000000', '1000001', '２', 'x', '无', '-', '3人'],
  partyOrgForm: ['', '0', '1', '3', '党支部', '党委', '4', 'hasOwnProperty', ' 1'],
  partyOrgWay: ['', '1', '5', '单独组建', '联合建', '6', '（联合）'],
  partyOrgSetOn: ['', '2020-07-01', '2020-7-1', 'bad'],
  repIsMember: ['', '是', '否', '1', '0', '2', 'Y', 'n', 'true', 'TRUE', 'yes', 'valueOf', '√', '×', '1-是', '2-是'],
  repIsSecretary: ['', '是', '否', 'N', '３'],
  orgSetUp: ['', '1', '0', '是', 'maybe', '已建立', '未建立', '√'],
  // Last, so the draws above are as before: read beside the count, as the schema does.
  hasMembers: ['', '', '', '是', '否', '1', '0', '有', '否 '],
};

function parseBySchema(input: Record<string, string>) {
  const r = annualReportRow.safeParse(input);
  return r.success ? r.data : undefined;
}

describe('the annual report fast path', () => {
  it('gives exactly the schema value whenever it answers, and leaves every other row to the schema', () => {
    const next = rng(20261202);
    let fast = 0;
    let slowValid = 0;
    for (let i = 0; i < 12_000; i++) {
      const input: Record<string, string> = {};
      for (const [field, values] of Object.entries(CELLS)) {
        if (next() < 0.08) continue; // a column the file does not have
        // Mostly the first (canonical) values, so whole rows often qualify.
        const pick =
          next() < 0.7 ? Math.floor(next() * Math.min(values.length, 4)) : Math.floor(next() * values.length);
        input[field] = values[pick];
      }
      const got = fastAnnualReport(input);
      const want = parseBySchema(input);
      if (got !== undefined) {
        fast++;
        expect(want, JSON.stringify(input)).toBeDefined();
        expect(got, JSON.stringify(input)).toStrictEqual(JSON.parse(JSON.stringify(want)));
      } else if (want !== undefined) slowValid++;
    }
    // Both paths are exercised: most valid rows take the fast path, the others the schema.
    expect(fast).toBeGreaterThan(200);
    expect(slowValid).toBeGreaterThan(200);
  }, 60_000);

  it('takes the rows of a typical export', () => {
    const row = {
      uscc: uscc(42),
      year: '2024',
      filingStatus: '已报送',
      filedOn: '2025-05-20',
      employees: '5',
      partyMembers: '1',
      partyOrgForm: '',
      partyOrgWay: '',
      partyOrgSetOn: '',
      repIsMember: '是',
      repIsSecretary: '否',
    };
    expect(fastAnnualReport(row)).toStrictEqual({
      uscc: uscc(42),
      year: 2024,
      filingStatus: 'filed',
      filedOn: '2025-05-20',
      employees: 5,
      partyMembers: 1,
      repIsMember: true,
      repIsSecretary: false,
    });
    expect(fastAnnualReport(row)).toEqual(parseBySchema(row));
  });

  it('never refuses: a row the schema refuses is left to the schema, which says why', () => {
    expect(fastAnnualReport({ uscc: uscc(42), year: '2024', employees: '2', partyMembers: '3' })).toBeUndefined();
    expect(fastAnnualReport({ uscc: uscc(42).slice(0, 17) + '0', year: '2024' })).toBeUndefined();
    expect(fastAnnualReport({ year: '2024' })).toBeUndefined();
    expect(fastAnnualReport({ uscc: uscc(42), year: '2024', repIsMember: 'constructor' })).toBeUndefined();
  });
});
