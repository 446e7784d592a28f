/**
 * What changed, as the trail of a case closed or raised by it shows it: an import batch, an
 * organization edit, an entity edit, a case's own transfer, or a full discovery run.
 */
export type CaseChange = {
  source: 'import' | 'org' | 'entity' | 'case' | 'discovery';
  label: string;
  objectType?: string;
  objectId?: number;
};
