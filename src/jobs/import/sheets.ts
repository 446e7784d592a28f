import { SourceError, checkZip, sample, workbookOf } from './sources.js';
import { LegacyReadError, legacySheets, spreadsheetKind } from './legacy.js';

import { chooseSheet } from '../../domain/ledger/sheets.js';

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
  if (legacy === 'ole' || legacy === 'ods') {
    if (legacy === 'ods') await checkZip(file); // SheetJS inflates the whole package to list its sheets
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

/**
 * The worksheet a file is read from, by the domain's rule (chooseSheet): null for a CSV, an
 * unreadable file (opening it says what is wrong) or a workbook with one sheet; `ask` when the
 * user must choose. The upload's preview and the import job both decide with this.
 */
export async function pickSheet(
  file: string,
  requested?: string | null,
): Promise<{ sheet: string | null } | { ask: string[]; problem: string }> {
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
  return 'sheet' in choice ? { sheet: names.length > 1 ? choice.sheet : null } : choice;
}
