/**
 * Probing other jurisdictions' records by number (round 10, left open by round 9): a read of
 * another county's record answers 404, exactly as a number that does not exist, and left no trace.
 * Now, after such a 404 has been sent, the server asks the database whether the record named
 * exists outside the caller's reach (migration 0190, xgz_record_outside) and, if it does, counts
 * the probe against the account and writes `scope.denied` into the audit trail — not for every
 * probe: a sweep of 100,000 numbers would otherwise write 100,000 lines (the trail is a hash chain
 * every check reads whole). The first PROBE_LINES_EACH probes of an account in a window each get
 * a line (a clerk's mistyped number, or a few targeted tries, are seen one by one, with what was
 * asked for); after that a line at each doubling of the count (10, 20, 40, …), carrying the count
 * so far, so a sweep of n records leaves about log2(n) lines yet its size is in the trail.
 */
export const PROBE_WINDOW_MINUTES = 10;
export const PROBE_LINES_EACH = 5;

/** Whether the account's n-th probe in the current window gets its own line in the audit trail. */
export const probeWorthALine = (n: number): boolean =>
  n <= PROBE_LINES_EACH || (n % 10 === 0 && Number.isInteger(Math.log2(n / 10)));

/**
 * The record a route names by its path parameter: the kind (the table, as xgz_record_outside
 * knows it) and the parameter. Routes are matched by their prefix up to the parameter; the
 * first match wins (so /units/summary/:code before /units/:id).
 */
export const PROBE_TARGETS: readonly [prefix: string, kind: string, param: string][] = [
  ['accounts/:id', 'app_user', 'id'],
  ['appeals/:id', 'appeal_case', 'id'],
  ['assessments/:code', 'jurisdiction', 'code'],
  ['assistance/programs/:id', 'assistance_program', 'id'],
  ['attachments/:id', 'attachment', 'id'],
  ['campaigns/:id', 'campaign', 'id'],
  ['cases/:id', 'discovery_case', 'id'],
  ['deployment-targets/:id', 'deployment_target', 'id'],
  ['deployments/:id', 'deployment', 'id'],
  ['discovery/runs/:id', 'discovery_run', 'id'],
  ['entities/:id', 'entity', 'id'],
  ['exit-reviews/:id', 'exit_review', 'id'],
  ['guidance-posts/:code', 'jurisdiction', 'code'],
  ['guidance-records/:id', 'guidance_record', 'id'],
  ['honours/:id', 'honour', 'id'],
  ['import-profiles/:id', 'import_profile', 'id'],
  ['imports/:id', 'import_job', 'id'],
  ['instructors/:id', 'instructor', 'id'],
  ['jurisdictions/:code', 'jurisdiction', 'code'],
  ['members/:id', 'member', 'id'],
  ['new-employment/cards/:id', 'mobile_card', 'id'],
  ['new-employment/platforms/:id', 'platform', 'id'],
  ['new-employment/stations/:id', 'delivery_station', 'id'],
  ['org-proposals/:id', 'org_proposal', 'id'],
  ['orgs/:id', 'party_org', 'id'],
  ['plaque-feedback/:id', 'plaque_feedback', 'id'],
  ['plaques/:id', 'sanliang_plaque', 'id'],
  ['point-recommendations/:id', 'point_recommendation', 'id'],
  ['points/:id', 'recognition_point', 'id'],
  ['reports/:id', 'report', 'id'],
  ['sanliang/:id', 'sanliang', 'id'],
  ['service-accounts/:id', 'app_user', 'id'], // a service account is numbered by its account
  ['service-posts/:id', 'service_post', 'id'],
  ['station-rules/:id', 'station_rule', 'id'],
  ['stations/:code', 'jurisdiction', 'code'],
  ['trainings/:id', 'training_class', 'id'],
  ['units/summary/:code', 'jurisdiction', 'code'],
  ['units/:id', 'bureau_unit', 'id'],
  ['visit-plans/:id', 'visit_plan', 'id'],
  ['visits/:id', 'visit_record', 'id'],
  ['zones/:id', 'zone', 'id'],
];

/** The audit trail's name of a kind of object, where it differs from the table's. */
const OBJECT_TYPE: Record<string, string> = { app_user: 'user' };

export type ProbeTarget = { kind: string; ref: string; objectType: string };

/**
 * The record an answered route named: by its path parameter, or for a list filtered to a node
 * (`?under=`), that node. Null when the route names none.
 */
export function probeTarget(
  route: string,
  params: Record<string, unknown>,
  query: Record<string, unknown>,
): ProbeTarget | null {
  const rest = route.replace(/^\/api\/v1\//, '');
  for (const [prefix, kind, param] of PROBE_TARGETS) {
    if (rest !== prefix && !rest.startsWith(`${prefix}/`)) continue;
    // A parameter as the route's schema left it: a number once coerced, else the text.
    const ref = params[param];
    return typeof ref === 'string' || typeof ref === 'number'
      ? { kind, ref: String(ref), objectType: OBJECT_TYPE[kind] ?? kind }
      : null;
  }
  const under = query.under;
  return typeof under === 'string' && under ? { kind: 'jurisdiction', ref: under, objectType: 'jurisdiction' } : null;
}
