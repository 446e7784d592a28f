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
