import { describe, expect, it } from 'vitest';
import { otherListNote } from './other-lists.js';

describe('lists the import does not read', () => {
  it('names a 党组织台账, a 指导员名单 and a rider list, and where their records are kept', () => {
    expect(otherListNote(['组织名称', '组织类别', '隶属关系', '成立日期', '书记姓名', '覆盖企业', '党员人数'])).toBe(
      '这个文件像是党组织名单：数据导入只读登记信息、年报、党员名册和信用名单，党组织不能从文件导入，请在"党组织"页登记（所涉市场主体须先由登记信息导入）',
    );
    expect(otherListNote(['姓名', '性别', '身份证号', '所在单位', '职务', '联系企业', '派驻日期'])).toMatch(
      /^这个文件像是党建指导员名单：.*请在"党建指导员"页登记/,
    );
    expect(otherListNote(['姓名', '所属平台', '配送站点', '联系电话', '是否党员', '骑手编号'])).toMatch(
      /请在"新业态新就业群体"页登记/,
    );
    expect(otherListNote(['荣誉名称', '获奖对象', '授予单位', '授予日期'])).toMatch(/请在"荣誉"页登记/);
  });

  it('says nothing of a file with one such header only (a registry with 党员人数)', () => {
    expect(otherListNote(['统一社会信用代码', '企业名称', '党员人数', '成立日期'])).toBeNull();
    expect(otherListNote(['姓名', '公民身份号码', '所在党支部'])).toBeNull();
  });
});
