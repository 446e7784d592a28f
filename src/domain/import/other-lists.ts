import { normalizeHeader } from './vocabulary.js';

/**
 * Lists a clerk keeps that the import does not read: 党组织台账, 党建指导员名单, 荣誉名单, 三亮名单,
 * 骑手（新就业群体）名单. Put under one of the import kinds, such a file only misses that kind's
 * columns; the clerk is told what the file seems to be and where in XGZ those records are kept.
 * Each list is known by headers only it has (two at least, so a registry's 党员人数 or 成立日期
 * alone says nothing).
 */
type OtherList = { what: string; page: string; marks: RegExp[] };

const LISTS: OtherList[] = [
  {
    what: '党组织',
    page: '党组织',
    marks: [
      /^(党)?组织名称$/,
      /^(党)?组织类别$|^组织类型$|^党组织类型$/,
      /^隶属关系$|^上级党组织$/,
      /^(党组织)?书记(姓名)?$/,
      /^覆盖(企业|市场主体|主体)|^(覆盖|联建)单位/,
      /^党员人数$/,
      /^建立方式$|^组建方式$/,
    ],
  },
  {
    what: '党建指导员',
    page: '党建指导员',
    marks: [
      /指导员/,
      /^(联系|指导|派驻)(企业|主体|单位|对象)/,
      /^(派驻|选派|任职)(日期|时间)$/,
      /^所在单位$/,
      /^职务$/,
    ],
  },
  {
    what: '荣誉',
    page: '荣誉',
    marks: [
      /^荣誉(名称|称号|类别|级别)?$/,
      /^(表彰|授予|命名)(单位|日期|时间|机关|文号)$/,
      /^获(奖|评)(对象|时间|日期)$/,
      /文号$/,
    ],
  },
  {
    what: '三亮',
    page: '三亮',
    marks: [/亮身份|亮职责|亮承诺/, /牌匾|挂牌/, /^承诺(内容|书)?$/],
  },
  {
    what: '新就业群体（骑手、快递员、网约车司机）',
    page: '新业态新就业群体',
    marks: [/骑手|配送员|快递员|网约车/, /^(所属)?平台(名称)?$/, /^(配送|快递)?站点(名称)?$/, /^(合作商|加盟商)/],
  },
];

/**
 * What list the headers seem to be, when it is one the import does not read, with where its
 * records are kept; null for anything else.
 */
export function otherListNote(headers: string[]): string | null {
  const names = headers.map(normalizeHeader).filter(Boolean);
  for (const list of LISTS) {
    const hits = list.marks.filter((m) => names.some((n) => m.test(n))).length;
    if (hits >= 2)
      return `这个文件像是${list.what}名单：数据导入只读登记信息、年报、党员名册和信用名单，${list.what}不能从文件导入，请在"${list.page}"页登记（所涉市场主体须先由登记信息导入）`;
  }
  return null;
}
