/**
 * The indicator sources: each counts some of the registry's keys from its own ledger tables.
 * A new ledger plugs in with one module here and its keys in src/domain/indicators/registry.ts.
 */
import type { Measure } from '../measure.js';
import { coverageMeasures } from './coverage.js';
import { instructorMeasures } from './instructors.js';
import { memberMeasures } from './members.js';
import { orgMeasures } from './orgs.js';
import { recognitionMeasures } from './recognition.js';
import { sanliangMeasures } from './sanliang.js';
import { appealMeasures } from './appeals.js';
import { unitMeasures } from './units.js';
import { newEmploymentMeasures } from './new-employment.js';
import { leagueMeasures } from './league.js';
import { assistanceMeasures } from './assistance.js';

export const SOURCES: Record<string, readonly Measure[]> = {
  coverage: coverageMeasures,
  members: memberMeasures,
  orgs: orgMeasures,
  instructors: instructorMeasures,
  sanliang: sanliangMeasures,
  appeals: appealMeasures,
  recognition: recognitionMeasures,
  units: unitMeasures,
  newEmployment: newEmploymentMeasures,
  league: leagueMeasures,
  assistance: assistanceMeasures,
};

export const MEASURES: readonly Measure[] = Object.values(SOURCES).flat();
