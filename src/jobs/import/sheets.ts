import {
  DEFAULT_LIMITS,
  SourceError,
  checkZip,
  openSource,
  sample,
  workbookOf,
  type FooterRow,
  type Source,
  type SourceLimits,
} from './sources.js';
import { LegacyReadError, legacySheets, spreadsheetKind } from './legacy.js';

import { chooseSheet, dataSheets, sheetRowRef, sheetsOfOneShape } from '../../domain/ledger/sheets.js';

export { chooseSheet, CORRECTIONS_SHEET, type SheetChoice } from '../../domain/ledger/sheets.js';

/**
 * The names of a workbook's visible sheets, in order: for an .xlsx read from its workbook part
 * without inflating anything else; for an .xls by the sandboxed legacy reader; an HTML table
 * saved as .xls is one sheet.
 */
export async function listSheets(file: string): Promise<string[]> {
  return (await readSheets(file, false)).names;
}

/**
 * The visible sheets' names and those with no value: an .xls's from its first rows, always; an
 * .xlsx's, read until their first value, when `blanks` (else null, not read).
 */
async function readSheets(file: string, blanks: boolean): Promise<{ names: string[]; empty: Set<string> | null }> {
  const legacy = await spreadsheetKind(file, sample(file));
  if (legacy === 'markup' || legacy === 'no-table') return { names: [], empty: null }; // no-table: opening it says why
  if (legacy === 'ole' || legacy === 'ods' || legacy === 'xlsb') {
    if (legacy !== 'ole') await checkZip(file); // SheetJS inflates the whole package to list its sheets
    return legacySheets({ file }).catch((err: unknown) => {
      throw err instanceof LegacyReadError ? new SourceError(err.message) : err;
    });
  }
  const book = await workbookOf(file);
  try {
    const shown = book.sheets.filter((s) => !s.hidden);
    if (!blanks) return { names: shown.map((s) => s.name), empty: null };
    const empty = new Set<string>();
    for (const s of shown) if (!(await book.hasValues(s))) empty.add(s.name);
    return { names: shown.map((s) => s.name), empty };
  } finally {
    book.close();
  }
}

/** What a file is read from: one sheet (null: a CSV, or a workbook with one), several of one shape, or the user must choose. */
export type Picked = { sheet: string | null } | { sheets: string[] } | { ask: string[]; problem: string };

/**
 * The worksheet(s) a file is read from, by the domain's rule (chooseSheet): null for a CSV, an
 * unreadable file (opening it says what is wrong) or a workbook with one sheet; every data sheet
 * when, none asked for, there are several whose headers are the same (`score` finds each one's
 * header as the import does: a roster exported one sheet per 党支部); else `ask`. The upload's
 * preview and the import job both decide with this.
 */
export async function pickSheet(
  file: string,
  requested?: string | null,
  score?: (cells: string[]) => number,
): Promise<Picked> {
  let read: Awaited<ReturnType<typeof readSheets>>;
  try {
    read = await readSheets(file, false);
    // Several sheets and none asked for: the blank ones are no candidates (Excel's Sheet1 left
    // empty while the data is on Sheet2), which only reading an .xlsx's sheets tells.
    if (read.names.length > 1 && !requested && !read.empty && 'ask' in chooseSheet(read.names))
      read = await readSheets(file, true);
  } catch (err) {
    if (err instanceof SourceError) return { sheet: null };
    throw err;
  }
  const { names } = read;
  // No directory or one sheet, nothing asked: the reader opens the file and says what is wrong with it.
  if (names.length <= 1 && !requested) return { sheet: null };
  const choice = chooseSheet(names, requested, read.empty ?? undefined);
  if ('sheet' in choice) return { sheet: names.length > 1 ? choice.sheet : null };
  if (requested || !score) return choice;
  const candidates = dataSheets(names, read.empty ?? undefined);
  if (candidates.length < 2) return choice;
  const shapes = [];
  for (const sheet of candidates) shapes.push({ sheet, headers: await headersOf(file, score, sheet) });
  const together = sheetsOfOneShape(shapes);
  if ('sheets' in together) return together;
  // A sheet that names none of the kind's columns holds no rows of it: a 封面 (cover) before the
  // data sheet (round 11: the clerk was asked which sheet to import). One naming some is asked about.
  const known = shapes.filter((s) => score(s.headers) > 0);
  if (known.length === 1) return { sheet: known[0].sheet };
  const data = known.length > 1 ? sheetsOfOneShape(known) : together;
  return 'sheets' in data ? data : { ask: names, problem: `${data.problem}；${choice.problem}` };
}

/** A sheet's header as the import finds it; a sheet that cannot be read has none (it is then asked for, and opening it says why). */
async function headersOf(file: string, score: (cells: string[]) => number, sheet: string): Promise<string[]> {
  try {
    const source = await openSource(file, '', DEFAULT_LIMITS, score, sheet);
    source.close();
    return source.headers;
  } catch (err) {
    if (err instanceof SourceError) return [];
    throw err;
  }
}

/**
 * Opens what pickSheet chose as one source. Several sheets are read one after another under the
 * first's header (each must still have it: the file is checked again as it is read); each row's
 * number is its reference (sheetRowRef: the sheet's place and the row as Excel shows it), as are
 * the footer and hidden rows'. `sheets` is null for one sheet.
 */
export async function openPicked(
  file: string,
  fileName: string,
  limits: SourceLimits,
  score: (cells: string[]) => number,
  picked: { sheet: string | null } | { sheets: string[] },
): Promise<Source & { sheets: string[] | null }> {
  if ('sheet' in picked)
    return { ...(await openSource(file, fileName, limits, score, picked.sheet ?? undefined)), sheets: null };
  const { sheets } = picked;
  const first = await openSource(file, fileName, limits, score, sheets[0]);
  const footer: FooterRow[] = [];
  const hiddenRows: number[] = [];
  const hiddenColumns = new Set<number>();
  let current = first;
  let bytes = 0;
  const take = (at: number, s: Source) => {
    footer.push(...s.footer().map((r) => ({ ...r, rowNo: sheetRowRef(at, r.rowNo) })));
    hiddenRows.push(...s.hiddenRows().map((n) => sheetRowRef(at, n)));
    for (const c of s.hiddenColumns()) hiddenColumns.add(c);
  };
  async function* rows() {
    for (let at = 0; at < sheets.length; at++) {
      if (at > 0) {
        current = await openSource(file, fileName, limits, score, sheets[at]);
        const same = sheetsOfOneShape([
          { sheet: sheets[0], headers: first.headers },
          { sheet: sheets[at], headers: current.headers },
        ]);
        if ('problem' in same) {
          current.close();
          throw new SourceError(same.problem);
        }
      }
      try {
        for await (const row of current.rows) yield { ...row, rowNo: sheetRowRef(at, row.rowNo) };
        take(at, current);
      } finally {
        current.close();
      }
    }
  }
  return {
    ...first,
    rows: rows(),
    sheets,
    // Each sheet is read from where its part sits in the file: the furthest point reached so far.
    bytesRead: () => (bytes = Math.max(bytes, current.bytesRead())),
    footer: () => footer,
    hiddenRows: () => hiddenRows,
    hiddenColumns: () => [...hiddenColumns].sort((a, b) => a - b),
    close: () => current.close(),
  };
}
