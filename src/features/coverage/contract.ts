import { z } from 'zod';
import { endpoint, subtreeFigures, underQuery, type ResponseOf } from '../../http/contract.js';

/** The two coverages' contract (pure), shared with the web. */
export const coverageFigures = z.object({
  operating: z.number(), withMembers: z.number(), ownOrg: z.number(), anyOrg: z.number(), work: z.number(), membersOwnOrg: z.number(), membersAnyOrg: z.number(),
  orgCoverage: z.number().nullable(), standaloneRate: z.number().nullable(), workCoverage: z.number().nullable(),
  orgCoverageWithMembers: z.number().nullable(), standaloneRateWithMembers: z.number().nullable(),
});
const split = z.array(coverageFigures.extend({ value: z.string(), label: z.string() }));

export const getCoverage = endpoint({
  method: 'GET',
  path: '/coverage',
  summary: '两个覆盖：本级数字、下级对比、按主体类型/行业/区域类型/新设拆分',
  query: z.strictObject({ under: underQuery }),
  response: subtreeFigures(coverageFigures).extend({
    unassigned: coverageFigures,
    splits: z.object({ kind: split, industry: split, zoneKind: split, newness: split, zones: split }),
  }),
});

export type CoverageFigures = z.infer<typeof coverageFigures>;
export type CoverageData = ResponseOf<typeof getCoverage>;
