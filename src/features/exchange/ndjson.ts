import { Transform } from 'node:stream';

export type TemplateColumn = { field: string; header: string; aliases: string[] };

/** A refused NDJSON body: the line and what is wrong, in Chinese (400, nothing written). */
export class NdjsonError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

const PRECISE = /IdNumber$|^idNumber$|^uscc$|^regNo$|Phone$|^phone$/;
const q = (v: string) => `"${v.replaceAll('"', '""')}"`;

/**
 * NDJSON (one JSON object a line) into the CSV the import pipeline reads, as the bytes stream by:
 * the header row is the template's column headers; each object's keys are the template's field
 * names, headers or aliases. An unknown key, a line that is not an object, or an identifier sent as
 * a JSON number (its digits may be lost) refuses the body, naming the line.
 */
export function ndjsonToCsv(columns: readonly TemplateColumn[], maxLine = 64 * 1024): Transform {
  const index = new Map<string, number>();
  columns.forEach((c, i) => {
    for (const k of [c.field, c.header, ...c.aliases]) if (!index.has(k)) index.set(k, i);
  });
  let rest = '';
  let lineNo = 0;
  let decoder = new TextDecoder('utf-8', { fatal: true });
  const row = (text: string): string | null => {
    lineNo++;
    const t = text.replace(/\r$/, '').trim();
    if (!t) return null;
    let obj: unknown;
    try {
      obj = JSON.parse(t);
    } catch {
      throw new NdjsonError(lineNo, `第 ${lineNo} 行不是有效的 JSON`);
    }
    if (!obj || typeof obj !== 'object' || Array.isArray(obj))
      throw new NdjsonError(lineNo, `第 ${lineNo} 行应为一个 JSON 对象`);
    const cells = Array.from({ length: columns.length }, () => '');
    for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
      const i = index.get(k);
      if (i === undefined) throw new NdjsonError(lineNo, `第 ${lineNo} 行：未知的字段"${k.slice(0, 40)}"`);
      if (v === null || v === undefined) continue;
      if (typeof v === 'number' && PRECISE.test(columns[i].field))
        throw new NdjsonError(lineNo, `第 ${lineNo} 行：字段"${k}"应以字符串传送（以数字传送会丢失位数）`);
      if (typeof v === 'object') throw new NdjsonError(lineNo, `第 ${lineNo} 行：字段"${k}"应为文字、数字或布尔值`);
      cells[i] =
        typeof v === 'boolean' ? (v ? '是' : '否') : typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
    }
    return cells.map(q).join(',') + '\r\n';
  };
  return new Transform({
    construct(cb) {
      this.push(columns.map((c) => q(c.header)).join(',') + '\r\n');
      cb();
    },
    transform(chunk: Buffer, _enc, cb) {
      try {
        const text = rest + decoder.decode(chunk, { stream: true });
        const lines = text.split('\n');
        rest = lines.pop() ?? '';
        if (rest.length > maxLine) throw new NdjsonError(lineNo + 1, `第 ${lineNo + 1} 行超过 ${maxLine} 字的上限`);
        const out = lines
          .map(row)
          .filter((x): x is string => x !== null)
          .join('');
        cb(null, out ? Buffer.from(out) : undefined);
      } catch (err) {
        cb(
          err instanceof TypeError
            ? new NdjsonError(lineNo + 1, `第 ${lineNo + 1} 行附近不是有效的 UTF-8 文字`)
            : (err as Error),
        );
      }
    },
    flush(cb) {
      try {
        const last = rest + decoder.decode();
        decoder = new TextDecoder('utf-8', { fatal: true });
        const out = last ? row(last) : null;
        cb(null, out ? Buffer.from(out) : undefined);
      } catch (err) {
        cb(
          err instanceof TypeError
            ? new NdjsonError(lineNo + 1, `第 ${lineNo + 1} 行附近不是有效的 UTF-8 文字`)
            : (err as Error),
        );
      }
    },
  });
}
