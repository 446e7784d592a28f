import { z } from 'zod';
import {
  endpoint,
  idParam,
  pageOf,
  pageQuery,
  timestamp,
  underQuery,
  type ItemOf,
  type ResponseOf,
} from '../../http/contract.js';

/** The party-member roster's contract (pure), shared with the web. */
export const memberFilters = {
  q: z.string().trim().max(30).optional(),
  status: z.enum(['normal', 'mobile', 'lost', 'abroad', 'other', 'transferred_out', 'stopped', 'deceased']).optional(),
  confidence: z.enum(['confirmed', 'declared', 'self_reported']).optional(),
  linked: z.enum(['true', 'false']).optional(),
  /** Only the rosters held in the caller's own jurisdiction (名册党员 on the dashboard), not members seen through links to its entities. */
  held: z.enum(['true']).optional(),
  /**
   * A node of the caller's subtree (a figure of the dashboard's sub-jurisdiction): the members whose
   * roster or whose link lies below it; with linked, those linked below it (已找到的党员); with
   * held, those whose roster is held below it (名册党员) — each as the figure counts them.
   */
  under: underQuery,
};

const memberRow = z.object({
  id: z.number(),
  name: z.string(),
  birthDate: z.string().nullable(),
  idNumber: z.string().nullable(),
  phone: z.string().nullable(),
  membership: z.string().nullable(),
  joinDate: z.string().nullable(),
  orgRelation: z.string().nullable(),
  status: z.string(),
  confidence: z.string(),
  sources: z.array(z.string()),
  entities: z.array(z.string()),
});

export const listMembers = endpoint({
  method: 'GET',
  path: '/members',
  summary: '党员名册（个人信息脱敏）',
  query: z.strictObject({ ...pageQuery, ...memberFilters }),
  response: pageOf(memberRow),
});

export const getMember = endpoint({
  method: 'GET',
  path: '/members/:id',
  summary: '党员详情：所在主体与角色、组织关系、来源、核实线索与变更记录',
  params: idParam,
  response: z.object({
    id: z.number(),
    name: z.string(),
    birthDate: z.string().nullable(),
    sex: z.string().nullable(),
    idNumber: z.string().nullable(),
    phone: z.string().nullable(),
    membership: z.string().nullable(),
    joinDate: z.string().nullable(),
    orgRelation: z.string().nullable(),
    orgRelationCode: z.string().nullable(),
    status: z.string(),
    statusLabel: z.string(),
    /** When the membership ended (已转出, 停止党籍, 去世), when known. */
    endedOn: z.string().nullable(),
    confidence: z.string(),
    confidenceLabel: z.string(),
    sources: z.array(z.string()),
    occupation: z.string().nullable(),
    workplace: z.string().nullable(),
    roles: z.array(
      z.object({
        entityId: z.number(),
        entityName: z.string(),
        entityStatus: z.string(),
        role: z.string(),
        method: z.string(),
        score: z.number(),
        levels: z.unknown(),
      }),
    ),
    cases: z.array(z.object({ id: z.number(), kind: z.string(), state: z.string(), updatedAt: timestamp })),
    history: z.array(
      z.object({
        id: z.number(),
        op: z.string(),
        at: timestamp,
        actor: z.string(),
        changes: z.array(z.object({ field: z.string(), from: z.unknown(), to: z.unknown() })),
      }),
    ),
  }),
});

export const markMember = endpoint({
  method: 'POST',
  path: '/entities/:id/people/:roleId/member',
  summary: '检查、走访中得知主体人员是党员：记为党员（来源：工作人员，待核实）',
  params: z.strictObject({ id: z.coerce.number().int().positive(), roleId: z.coerce.number().int().positive() }),
  body: z.strictObject({
    membership: z.enum(['full', 'probationary']).optional(),
    orgRelation: z.string().trim().max(200).optional(),
    note: z.string().trim().max(500).optional(),
  }),
  status: 201,
  response: z.object({ memberId: z.number() }),
});

/** The roster as xlsx (masked; the export is audited). */
export const exportMembers = { path: '/members/export', query: z.strictObject(memberFilters) } as const;

export type Member = ItemOf<typeof listMembers>;
export type MemberDetail = ResponseOf<typeof getMember>;
