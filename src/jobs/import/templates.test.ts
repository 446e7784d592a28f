import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { likelierKind as likelier, mapHeaders, type ImportKind } from './templates.js';

const likelierKind = (kind: ImportKind, headers: string[]) => likelier(kind, mapHeaders(kind, headers), headers);

const DIR = path.resolve(import.meta.dirname, '../../../test/fixtures/extracts');
/** The header row of a fixture export, as the reader finds it (BOM and title line left aside). */
const headerOf = (file: string, line = 0, encoding = 'utf8') => {
  const text = new TextDecoder(encoding).decode(fs.readFileSync(path.join(DIR, file)));
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  return lines[line].split(',');
};

describe('likelierKind: a file uploaded under the wrong kind', () => {
  const annual = headerOf('annual-report.utf8bom.csv');
  const registry = headerOf('registry-enterprise.gb18030.csv', 1, 'gb18030');

  it('names the annual report when an annual-report extract is put under 登记信息', () => {
    expect(likelierKind('registry', annual)).toBe('annual_report');
  });

  it('names the registry when a registry extract is put under 年报 or 党员名册', () => {
    expect(likelierKind('annual_report', registry)).toBe('registry');
    expect(likelierKind('roster', registry)).toBe('registry');
  });

  it('says nothing when the kind fits the file, or when no other kind fits better', () => {
    expect(likelierKind('annual_report', annual)).toBeNull();
    expect(likelierKind('registry', registry)).toBeNull();
    expect(likelierKind('registry', ['备注', '序号'])).toBeNull();
  });
});

describe('a registry list without a type column', () => {
  it('takes the 统一社会信用代码 for the type of a list of entities with their representative (a county 个体工商户名册)', () => {
    const headers = ['统一社会信用代码', '个体户名称', '经营者', '身份证号码', '经营场所', '成立日期', '联系电话'];
    expect(mapHeaders('registry', headers).missing).toEqual([]);
    expect(likelierKind('registry', headers)).toBeNull();
  });

  it('still asks for the type where the file is another kind’s', () => {
    // A 15-digit 注册号 says it too, by its 7th digit (round 17): a row whose number does not is refused.
    expect(mapHeaders('registry', ['注册号', '字号名称', '经营者']).missing).toEqual([]);
    expect(mapHeaders('registry', ['注册号', '字号名称']).missing.map((m) => m.field)).toEqual(['kind']);
    // A credit list names the representative too: it is not read as a registry.
    const credit = [
      '统一社会信用代码',
      '企业名称',
      '法定代表人',
      '列入经营异常名录原因',
      '列入日期',
      '作出决定机关(列入)',
    ];
    expect(mapHeaders('registry', credit).missing.map((m) => m.field)).toEqual(['kind']);
    expect(likelierKind('registry', credit)).toBe('abnormal_list');
  });
});
