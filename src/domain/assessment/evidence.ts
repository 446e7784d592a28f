/**
 * 考核佐证材料: the assessed jurisdiction may attach evidence to its manual items of a year until
 * the year's assessment closes, 31 January of the following year (the deployment's calendar).
 * Pure: the caller passes today's local date.
 */
export const evidenceDeadline = (year: number): string => `${year + 1}-01-31`;

/** Whether evidence for the year is still accepted on the given local date (YYYY-MM-DD). */
export const evidenceOpen = (year: number, today: string): boolean => today <= evidenceDeadline(year);

/** The refusal after the deadline, in Chinese, naming the date. */
export const evidenceClosedMessage = (year: number): string =>
  `${year} 年度考核佐证材料已于 ${evidenceDeadline(year)} 截止提交，不能再添加附件`;
