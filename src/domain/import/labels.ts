/**
 * What each kind of import file is called: in full on its template, in the job list and on the
 * import page; short where a sentence or a switch names it.
 */
export const IMPORT_KIND_LABEL = {
  registry: '登记信息（市场主体及其人员）',
  annual_report: '年报（含党建信息）',
  roster: '党员名册（组织部门共享）',
  abnormal_list: '经营异常名录（列入、移出）',
  untrustworthy_list: '严重违法失信名单（列入、移出）',
} as const;
export const IMPORT_KIND_SHORT = {
  registry: '登记信息',
  annual_report: '年报',
  roster: '党员名册',
  abnormal_list: '经营异常名录',
  untrustworthy_list: '严重违法失信名单',
} as const;
