import { levelOfScopeKey } from '../jurisdiction/codes.js';
import { IMPORT_KIND_SHORT } from './labels.js';

/**
 * Who may import: a bureau at county level or above (县级及以上市场监管局), into its own node or
 * one below it that is not a station. Registration extracts, annual reports, rosters and credit
 * lists are delivered to the bureaus; a station works the ledger they build and imports nothing.
 * One rule for every door an import comes through: the web's upload, preview, start and rerun,
 * and the exchange API of a service account (whose node is where the rows are written).
 *
 * Returns the refusal in Chinese, or null when the node may import.
 */
export function importRefusal(kind: keyof typeof IMPORT_KIND_SHORT, targetScopeKey: string): string | null {
  return levelOfScopeKey(targetScopeKey) === 'station'
    ? `${IMPORT_KIND_SHORT[kind]}由县级及以上市场监管局导入，不能导入到基层所`
    : null;
}
