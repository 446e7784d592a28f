import { z } from 'zod';
import { dateField, entityKeyIssues, opt, optValue, regNoField, usccField } from './rows.js';

/**
 * Row schema of the credit lists as the 国家企业信用信息公示系统 exports them: the 经营异常名录
 * and the 严重违法失信名单 (黑名单) share one shape — the entity (统一社会信用代码 or 注册号, its
 * name as written), when, why and by whom it was listed, and when, why and by whom removed.
 */
const words = (max: number, label: string) => z.string().trim().max(max, `${label}不超过 ${max} 个字`);
/**
 * A reason as the decision states it: the 严重违法失信名单's give the facts and the articles relied on
 * (several hundred characters), kept whole.
 */
const REASON_MAX = 2000;

export const creditRow = z
  .object({
    uscc: optValue(usccField),
    regNo: optValue(regNoField),
    name: opt(words(200, '企业名称')),
    listedReason: words(REASON_MAX, '列入原因').min(1, '列入原因不能为空'),
    listedOn: dateField('列入日期'),
    listedAuthority: opt(words(200, '作出决定机关（列入）')),
    // A listing not removed: its 移出 cells blank, or "-" / 无 as the 公示系统 and clerks write them.
    removedReason: optValue(words(REASON_MAX, '移出原因')),
    removedOn: optValue(dateField('移出日期')),
    removedAuthority: optValue(words(200, '作出决定机关（移出）')),
  })
  .superRefine((r, ctx) => {
    entityKeyIssues(r, ctx);
    if (r.removedOn && r.removedOn < r.listedOn)
      ctx.addIssue({
        code: 'custom',
        path: ['removedOn'],
        message: `移出日期（${r.removedOn}）不能早于列入日期（${r.listedOn}）`,
      });
    if (!r.removedOn && (r.removedReason || r.removedAuthority))
      ctx.addIssue({ code: 'custom', path: ['removedOn'], message: '填写了移出原因或移出机关，请同时填写移出日期' });
  });
export type CreditRow = z.infer<typeof creditRow>;

/** The two lists: import kind → list code. */
export const CREDIT_LISTS = { abnormal_list: 'abnormal', untrustworthy_list: 'untrustworthy' } as const;
export type CreditKind = keyof typeof CREDIT_LISTS;
export type CreditList = (typeof CREDIT_LISTS)[CreditKind];
export const CREDIT_LIST_LABEL: Record<CreditList, string> = {
  abnormal: '经营异常名录',
  untrustworthy: '严重违法失信名单',
};
export const isCreditKind = (k: string): k is CreditKind => k in CREDIT_LISTS;
