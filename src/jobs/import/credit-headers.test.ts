import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { usccCheckChar } from '../../domain/identifiers/uscc.js';
import { nameCreditAuthorities } from '../../domain/import/vocabulary.js';
import { openSource } from './sources.js';
import { headerScore, mapHeaders } from './templates.js';

/** A 个体工商户's 经营异常状态 as the 公示系统 lists it: 标记 and 恢复, and two columns named 作出决定机关. */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xgz-credit-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const code = (head: string) => `${head}${usccCheckChar(head)}`;

describe('a 个体工商户 经营异常状态 list', () => {
  it('is read as the 经营异常名录: 标记 as 列入, 恢复正常记载状态 as 移出, each 作出决定机关 by its place', async () => {
    // Was refused for want of 列入原因 and 列入日期, and its two 作出决定机关 left unread (clerk probe, round 6).
    const text = [
      '序号,统一社会信用代码,个体工商户名称,标记经营异常状态原因,标记日期,作出决定机关,恢复正常记载状态原因,恢复日期,作出决定机关',
      `1,${code('92320102MA1BBBB03')},某某烤肉店,未按规定报送年度报告的,2024-07-01,玄武湖市场监管所,补报了年度报告,2024-08-01,南京市玄武区市场监督管理局`,
    ].join('\r\n');
    const f = path.join(dir, '经营异常状态.csv');
    fs.writeFileSync(f, iconv.encode(text, 'gb18030'));
    const s = await openSource(f, '经营异常状态.csv', undefined, (c) => headerScore('abnormal_list', c));
    s.close();
    const plan = mapHeaders('abnormal_list', s.headers);
    expect(plan.missing).toEqual([]);
    expect(Object.fromEntries(plan.index)).toEqual({
      uscc: 1,
      name: 2,
      listedReason: 3,
      listedOn: 4,
      listedAuthority: 5,
      removedReason: 6,
      removedOn: 7,
      removedAuthority: 8,
    });
  });

  it('names two 作出决定机关 only when the removal columns stand between them', () => {
    const names = (h: string[]) => (nameCreditAuthorities(h), h);
    expect(names(['标记日期', '作出决定机关', '恢复日期', '作出决定机关'])).toEqual([
      '标记日期',
      '作出决定机关（列入）',
      '恢复日期',
      '作出决定机关（移出）',
    ]);
    expect(names(['作出决定机关', '移出原因', '决定机关'])).toEqual([
      '作出决定机关（列入）',
      '移出原因',
      '作出决定机关（移出）',
    ]);
    // No removal between them: as written (the file's repeated names are told apart as before).
    expect(names(['作出决定机关', '备注', '作出决定机关'])).toEqual(['作出决定机关', '备注', '作出决定机关']);
    // One alone (a 严重违法失信名单 with 作出移出决定机关 of its own): by its side of the removal columns.
    expect(names(['列入日期', '作出决定机关', '移出日期', '作出移出决定机关'])).toEqual([
      '列入日期',
      '作出决定机关（列入）',
      '移出日期',
      '作出移出决定机关',
    ]);
    expect(names(['列入日期', '移出日期', '作出决定机关'])).toEqual(['列入日期', '移出日期', '作出决定机关（移出）']);
  });

  it('reads the lists whose headers name the list in full, or 事由, 原因类型, 决定机关名称 (clerk round 12)', () => {
    const fields = [
      'uscc',
      'name',
      'listedReason',
      'listedOn',
      'listedAuthority',
      'removedReason',
      'removedOn',
      'removedAuthority',
    ];
    for (const [kind, headers] of [
      [
        'abnormal_list',
        [
          '统一社会信用代码',
          '主体名称',
          '列入经营异常名录原因类型',
          '列入日期',
          '列入决定机关名称',
          '移出经营异常名录原因类型',
          '移出日期',
          '移出决定机关名称',
        ],
      ],
      [
        'abnormal_list',
        [
          '统一代码',
          '名称',
          '列入经营异常名录事由',
          '列入经营异常名录日期',
          '作出列入决定机关',
          '移出经营异常名录事由',
          '移出经营异常名录日期',
          '作出移出决定机关',
        ],
      ],
      [
        'untrustworthy_list',
        [
          '统一社会信用代码',
          '当事人名称',
          '列入严重违法失信名单事由',
          '列入严重违法失信名单日期',
          '列入决定机关',
          '移出严重违法失信名单事由',
          '移出严重违法失信名单日期',
          '移出决定机关',
        ],
      ],
    ] as const) {
      const plan = mapHeaders(kind, [...headers]);
      expect(plan.missing, headers.join()).toEqual([]);
      expect(Object.fromEntries(plan.index), headers.join()).toEqual(Object.fromEntries(fields.map((f, i) => [f, i])));
    }
  });
});
