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
  const legacy = await spreadsheetKind(file, sample(file));
  if (legacy === 'markup' || legacy === 'no-table') return []; // no-table: opening it says why
  if (legacy === 'ole' || legacy === 'ods') {
    if (legacy === 'ods') await checkZip(file); // SheetJS inflates the whole package to list its sheets
    return legacySheets({ file }).catch((err: unknown) => {
      throw err instanceof LegacyReadError ? new SourceError(err.message) : err;
    });
  }
  const book = await workbookOf(file);
  book.close();
  return book.sheets.filter((s) => !s.hidden).map((s) => s.name);
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
  let names: string[];
  try {
    names = await listSheets(file);
  } catch (err) {
    if (err instanceof SourceError) return { sheet: null };
    throw err;
  }
  // No directory or one sheet, nothing asked: the reader opens the file and says what is wrong with it.
  if (names.length <= 1 && !requested) return { sheet: null };
  const choice = chooseSheet(names, requested);
  return 'sheet' in choice ? { sheet: names.length > 1 ? choice.sheet : null } : choice;
}
