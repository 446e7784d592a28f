import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { birthBesideMaskedId, maskIdNumber } from '../../domain/identifiers/id-number.js';
import { schemaOf } from '../../http/contract.js';
import { exportMembers, getMember, listMembers, markMember } from './contract.js';
import { CONFIDENCE, STATUS, masked, memberDetail, memberExportRows, memberPage } from './queries.js';
import { markStaffMember } from './writes.js';
import { listExportRoute } from '../../http/export-route.js';

/** The party-member roster: members with their sources, confidence and the entities they were found in. */
export async function memberRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { keys } = app.ctx;

  r.get(listMembers.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(listMembers, ['党员']),
      querystring: listMembers.query,
      response: { 200: listMembers.response },
    },
    handler: (req) => req.scoped(({ db }) => memberPage(db, keys, req.query)),
  });

  r.get(getMember.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(getMember, ['党员']), params: getMember.params, response: { 200: getMember.response } },
    handler: (req) => req.scoped(({ db }) => memberDetail(db, keys, req.params.id)),
  });

  r.post(markMember.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(markMember, ['党员']),
      params: markMember.params,
      body: markMember.body,
      response: { 201: markMember.response },
    },
    handler: async (req, reply) => {
      const out = await req.scoped((sc) => markStaffMember(sc, req.params.id, req.params.roleId, req.body));
      reply.code(201);
      return out;
    },
  });

  listExportRoute(app, {
    ...exportMembers,
    tags: ['党员'],
    summary: '导出党员名册（xlsx，脱敏，导出留痕）',
    action: 'member.export',
    objectType: 'member',
    read: memberExportRows,
    file: '党员名册',
    sheet: '党员',
    columns: [
      { header: '姓名', value: (m) => m.name },
      { header: '身份证号', width: 22, value: (m) => masked(keys, m.id_enc, maskIdNumber) },
      { header: '出生日期', value: (m) => birthBesideMaskedId(m.id_enc, m.birth_date) },
      {
        header: '党员类别',
        value: (m) => (m.membership === 'full' ? '正式党员' : m.membership === 'probationary' ? '预备党员' : ''),
      },
      { header: '入党日期', value: (m) => m.join_date },
      { header: '组织关系所在党组织', width: 36, value: (m) => m.org_relation },
      { header: '党员状态', value: (m) => STATUS[m.member_status] },
      { header: '可信度', value: (m) => CONFIDENCE[m.confidence] },
      { header: '所在市场主体', width: 40, value: (m) => m.entities.join('、') },
    ],
  });
}
