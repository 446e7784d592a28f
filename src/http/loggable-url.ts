import { redactFreeText } from '../domain/identifiers/free-text.js';

/** What the log and the audit trail keep of a request's URL: no secret, no ID number or phone. */

/**
 * Paths whose last part is a secret: an appeal's query code is the only key to the case, and a
 * plaque's token opens its public page.
 */
const SECRET_PATH = /(\/public\/(?:appeals|plaques)\/|^\/verify\/)[^/]+/i;

/** A path as the router reads it: escapes decoded, repeated slashes as one. */
function routedPath(raw: string): string {
  let path = raw;
  try {
    path = decodeURIComponent(raw);
  } catch {
    // Malformed escapes: the request is refused (400); log it as it came.
  }
  return path.replace(/\/{2,}/g, '/');
}

/**
 * What the log keeps of a request's URL: "/members?q=320102…&page=2" → "/members?q=…&page=…" (a
 * query is a search: an ID number, a phone, a name) and "/public/appeals/WFTS…" → "/public/appeals/…".
 */
export function loggableUrl(full: string): string {
  // A target in absolute form (refused, but logged) is logged by its path.
  const url = full.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?]*/i, '');
  const at = url.indexOf('?');
  // As the router reads it (%61ppeals is appeals, // is /), so an encoded secret is masked too.
  // An ID number or a phone typed into the path or as a parameter's name (/members/3201…,
  // ?1391234…) is masked as in free text: only the values were kept out before (round-7 probe).
  const path = numbersMasked(routedPath(at < 0 ? url : url.slice(0, at)).replace(SECRET_PATH, '$1…'));
  if (at < 0) return path;
  const keys = url
    .slice(at + 1)
    .split('&')
    .map((p) => `${numbersMasked(routedPath(p.split('=')[0]))}=…`);
  return `${path}?${keys.join('&')}`;
}

const numbersMasked = (text: string): string => redactFreeText(text).text;

/**
 * What the audit trail keeps of a service account's call (round-8 probe: the query was kept as
 * sent, a phone or an ID number in it or in the path too): the path and each parameter as the
 * router reads them, numbers masked as in free text; a cursor or a batch id stays readable.
 */
export function auditableUrl(full: string): { path: string; query: string | null } {
  const at = full.indexOf('?');
  const path = numbersMasked(routedPath(at < 0 ? full : full.slice(0, at))).slice(0, 300);
  if (at < 0) return { path, query: null };
  const params = [...new URLSearchParams(full.slice(at + 1))];
  return {
    path,
    query: params
      .map(([k, v]) => `${numbersMasked(k)}=${numbersMasked(v)}`)
      .join('&')
      .slice(0, 300),
  };
}
