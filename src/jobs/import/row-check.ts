import type { z } from 'zod';
import { annualReportRow, membershipByDates, registryRow, rosterRow, saysNothing } from '../../domain/ledger/rows.js';
import { creditRow } from '../../domain/ledger/credit-rows.js';
import { normaliseCode, toHalfWidth } from '../../domain/import/normalise.js';
import type { ImportKind } from './templates.js';
import type { ColumnPlan } from '../../domain/import/plan.js';

/** Each kind's row schema (domain/ledger): what a row must be to be imported. */
export const ROW_SCHEMAS: Record<ImportKind, z.ZodType> = {
  registry: registryRow,
  annual_report: annualReportRow,
  roster: rosterRow,
  abnormal_list: creditRow,
  untrustworthy_list: creditRow,
};

/**
 * Facts a row does not state but its file does: a 个体工商户 file has no type column, one column
 * may hold both codes ("统一社会信用代码/注册号": a 15-digit value is a registration number, an
 * 18-character one in the 注册号 column the 统一社会信用代码), a
 * roster without 人员类别 says it by its dates (membershipByDates), and a row that leaves it blank
 * says 正式党员 by a 转正日期, an annual report without a 年报年度 column says it in its title
 * (`plan.fromTitle`). Fills `input` in place.
 */
export function fillFromFile(
  kind: ImportKind,
  input: Record<string, string>,
  mapped: (field: string) => boolean,
  fromTitle?: ColumnPlan['fromTitle'],
): void {
  if (fromTitle && !mapped('year')) input.year = fromTitle.year;
  // A 组成形式 left blank on a row whose code says its kind (a 农民专业合作社 or an enterprise in a
  // station's list of its 个体工商户) is no 个体工商户: the code's second character says which.
  if (kind === 'registry' && !mapped('kind') && mapped('form'))
    input.kind = saysNothing(input.form) && /^9/i.test(input.uscc?.trim() ?? '') ? '' : '个体工商户';
  // Registry, annual-report and credit-list files (GSXT's 统一社会信用代码/注册号) alike.
  // The number as typed: full-width digits or spaces in it (３２０１０２ 600123456) as the field reads them.
  if (input.uscc && !input.regNo && /^\d{15}$/.test(normaliseCode(input.uscc).value))
    [input.regNo, input.uscc] = [input.uscc.trim(), ''];
  // Both in that column's cell, the code and its former 注册号 (91320102MA1AAAA01N/320102600000010,
  // or the 注册号 in brackets or on a second line): each is read as itself.
  const both = !input.regNo?.trim() && BOTH_NUMBERS.exec(toHalfWidth(input.uscc ?? '').trim());
  if (both) [input.uscc, input.regNo] = [both[1], both[2]];
  // And the other way: a 注册号 column holding the 统一社会信用代码 (REGNO filled with it for entities
  // registered since 2015, or copied beside it) is the code, not a 注册号 of the wrong length.
  const code = normaliseCode(input.regNo ?? '').value;
  if (/^[0-9A-Z]{18}$/.test(code) && (!input.uscc?.trim() || normaliseCode(input.uscc).value === code))
    [input.uscc, input.regNo] = [input.regNo, ''];
  // A 党组织建立形式 that says the way too (单独建立党支部, 联合组建党总支), as county summaries word
  // it: the form, and the way where the row gives none.
  const formAndWay = kind === 'annual_report' && FORM_WITH_WAY.exec(toHalfWidth(input.partyOrgForm ?? '').trim());
  if (formAndWay) {
    input.partyOrgForm = formAndWay[2];
    if (saysNothing(input.partyOrgWay ?? '')) input.partyOrgWay = `${formAndWay[1]}组建`;
  }
  // 人员类别 absent, or left blank on a row with a 转正日期: the date says which.
  if (kind === 'roster' && mapped('confirmedOn')) {
    const confirmed = !saysNothing(input.confirmedOn);
    if (!mapped('membership')) input.membership = membershipByDates(input.joinDate ?? '', input.confirmedOn);
    else if (confirmed && !input.membership.trim()) input.membership = '正式党员';
  }
}

/** 单独建立党支部: the way (单独, 联合) and the form of an organization, in one word. */
const FORM_WITH_WAY = /^(单独|联合)(?:建立|组建|成立)(党支部|党总支部?|党委)$/;

/** A 统一社会信用代码 and a 15-digit 注册号 in one cell, between them a slash, a bracket or a line break. */
const BOTH_NUMBERS = /^([0-9A-Za-z]{18})\s*(?:[/\\、,;|]|\r?\n|\()\s*(\d{15})\s*\)?$/;

export type RowCheck = { problems: { field: string; reason: string }[]; read: Record<string, unknown> | null };

/**
 * A row judged on its own values, as the import's schema would (its place aside): the first
 * problem of each field, or the values as they will be stored. For the preview of a file.
 */
export function checkRow(kind: ImportKind, input: Record<string, string>): RowCheck {
  // A registry row's county is found by the import (from its column, 登记机关 or code) against the
  // tree: here it is its station's, so a station code is still checked for its form.
  const station = input.stationCode?.trim() ?? '';
  const probe =
    kind === 'registry' ? { ...input, countyCode: /^\d{9}$/.test(station) ? station.slice(0, 6) : '000000' } : input;
  const r = ROW_SCHEMAS[kind].safeParse(probe);
  if (r.success) return { problems: [], read: r.data as Record<string, unknown> };
  const problems = new Map<string, string>();
  for (const issue of r.error.issues) {
    const field = String(issue.path[0] ?? '');
    if (field !== 'countyCode' && !problems.has(field)) problems.set(field, issue.message);
  }
  return { problems: [...problems].map(([field, reason]) => ({ field, reason })), read: null };
}
