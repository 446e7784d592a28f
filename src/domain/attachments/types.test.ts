import { describe, expect, it } from 'vitest';
import { checkFile, sniff } from './types.js';

const PDF = Buffer.from('%PDF-1.7\n%%EOF');
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(16)]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(16)]);
const OLE = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(16)]);
const zip = (...names: string[]) =>
  Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(26), ...names.map((n) => Buffer.from(n))]);

describe('attachment types by their bytes', () => {
  it('recognises PDF, images, OOXML by their parts, legacy Office, OFD', () => {
    expect(sniff(PDF)).toBe('pdf');
    expect(sniff(PNG)).toBe('png');
    expect(sniff(JPEG)).toBe('jpeg');
    expect(sniff(OLE)).toBe('ole');
    expect(sniff(zip('[Content_Types].xml', 'word/document.xml'))).toBe('docx');
    expect(sniff(zip('[Content_Types].xml', 'xl/workbook.xml'))).toBe('xlsx');
    expect(sniff(zip('OFD.xml', 'Doc_0/Document.xml'))).toBe('ofd');
    expect(sniff(zip('payload.exe'))).toBeNull(); // a plain zip is not an Office document
    expect(sniff(Buffer.from('MZ\x90\x00'))).toBeNull();
  });
  it('accepts a file whose name agrees with its bytes', () => {
    expect(checkFile('方案.PDF', PDF, 1000)).toEqual({ ok: true, kind: 'pdf', mediaType: 'application/pdf' });
    expect(checkFile('表.xls', OLE, 1000)).toMatchObject({ ok: true, mediaType: 'application/vnd.ms-excel' });
  });
  it('refuses, naming the file: over the limit, a refused type, bytes not matching the name, empty', () => {
    expect(checkFile('大.pdf', PDF, 4)).toEqual({
      ok: false,
      reason: expect.stringMatching(/"大\.pdf".*超过大小上限/),
    });
    expect(checkFile('x.exe', Buffer.from('MZ'), 1000)).toEqual({
      ok: false,
      reason: expect.stringMatching(/"x\.exe".*类型不受支持/),
    });
    expect(checkFile('照片.pdf', PNG, 1000)).toEqual({
      ok: false,
      reason: expect.stringMatching(/"照片\.pdf".*内容与文件名不符/),
    });
    expect(checkFile('假.docx', PDF, 1000)).toMatchObject({ ok: false });
    expect(checkFile('空.pdf', Buffer.alloc(0), 1000)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('空文件'),
    });
  });
});
