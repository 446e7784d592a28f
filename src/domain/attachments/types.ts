/**
 * Which files may be attached, judged by their bytes (magic numbers), not their names: PDF,
 * images (JPEG, PNG, GIF, WebP, BMP), Office documents (OOXML .docx/.xlsx/.pptx, legacy
 * .doc/.xls/.ppt), OFD (the national standard electronic document). The name's extension must
 * agree with what the bytes are. Pure: no I/O.
 */

export type FileKind = 'pdf' | 'jpeg' | 'png' | 'gif' | 'webp' | 'bmp' | 'docx' | 'xlsx' | 'pptx' | 'ole' | 'ofd';

const MEDIA: Record<FileKind, string> = {
  pdf: 'application/pdf',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  bmp: 'image/bmp',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  ole: 'application/octet-stream',
  ofd: 'application/ofd',
};

/** The extensions each kind of content may carry. */
const EXTENSIONS: Record<FileKind, readonly string[]> = {
  pdf: ['pdf'],
  jpeg: ['jpg', 'jpeg'],
  png: ['png'],
  gif: ['gif'],
  webp: ['webp'],
  bmp: ['bmp'],
  docx: ['docx'],
  xlsx: ['xlsx'],
  pptx: ['pptx'],
  ole: ['doc', 'xls', 'ppt'],
  ofd: ['ofd'],
};
const OLE_MEDIA: Record<string, string> = {
  doc: 'application/msword',
  xls: 'application/vnd.ms-excel',
  ppt: 'application/vnd.ms-powerpoint',
};

export const ACCEPTED_EXTENSIONS = Object.values(EXTENSIONS).flat();

const starts = (b: Uint8Array, sig: readonly number[], at = 0) =>
  b.length >= at + sig.length && sig.every((v, i) => b[at + i] === v);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
/** True when the first `limit` bytes contain the ASCII text (zip entry names are in local headers). */
function contains(b: Uint8Array, text: string, limit = 1 << 20): boolean {
  return Buffer.from(b.buffer, b.byteOffset, Math.min(b.length, limit)).includes(text, 0, 'latin1');
}

/** What the bytes are, or null when they are none of the accepted kinds. */
export function sniff(bytes: Uint8Array): FileKind | null {
  if (starts(bytes, ascii('%PDF-'))) return 'pdf';
  if (starts(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (starts(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (starts(bytes, ascii('GIF87a')) || starts(bytes, ascii('GIF89a'))) return 'gif';
  if (starts(bytes, ascii('RIFF')) && starts(bytes, ascii('WEBP'), 8)) return 'webp';
  if (starts(bytes, ascii('BM')) && bytes.length > 26) return 'bmp';
  if (starts(bytes, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'ole';
  if (starts(bytes, [0x50, 0x4b, 0x03, 0x04])) {
    if (contains(bytes, '[Content_Types].xml')) {
      if (contains(bytes, 'word/')) return 'docx';
      if (contains(bytes, 'xl/')) return 'xlsx';
      if (contains(bytes, 'ppt/')) return 'pptx';
    }
    if (contains(bytes, 'OFD.xml')) return 'ofd';
  }
  return null;
}

export type Verdict = { ok: true; kind: FileKind; mediaType: string } | { ok: false; reason: string };

const extensionOf = (name: string) => (/\.([A-Za-z0-9]{1,8})$/.exec(name)?.[1] ?? '').toLowerCase();

/** Checks a file: size within the limit, an accepted kind by its bytes, and a name that says the same. Reasons name the file. */
export function checkFile(fileName: string, bytes: Uint8Array, maxBytes: number): Verdict {
  const name = `"${fileName}"`;
  if (bytes.length === 0) return { ok: false, reason: `附件${name}是空文件` };
  if (bytes.length > maxBytes) return { ok: false, reason: `附件${name}超过大小上限 ${formatBytes(maxBytes)}` };
  const ext = extensionOf(fileName);
  if (!ACCEPTED_EXTENSIONS.includes(ext))
    return { ok: false, reason: `附件${name}的类型不受支持（可上传 PDF、图片、Word/Excel/PowerPoint 文档、OFD）` };
  const kind = sniff(bytes);
  if (!kind) return { ok: false, reason: `附件${name}的内容不是可接受的文件类型（按文件内容判断，不按文件名）` };
  if (!EXTENSIONS[kind].includes(ext))
    return { ok: false, reason: `附件${name}的内容与文件名不符（扩展名为 .${ext}，内容是 ${kind.toUpperCase()}）` };
  return { ok: true, kind, mediaType: kind === 'ole' ? OLE_MEDIA[ext] : MEDIA[kind] };
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / 1024 / 1024).toFixed(1)} MB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KB`;
  return `${n} 字节`;
}
