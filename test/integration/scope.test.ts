import { sql } from 'kysely';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLE_CODES, permissionsOf, type Permission, type Role } from '../../src/domain/auth/roles.js';
import { narrowingOfRoles } from '../../src/domain/auth/binding.js';
import { maskIdNumber, maskPhone } from '../../src/domain/identifiers/id-number.js';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { hashToken } from '../../src/features/auth/sessions.js';
import { csvFile, importFile, tmpDir } from '../helpers/imports.js';
import { PDF, PNG, upload } from '../helpers/attachments.js';

/**
 * The permission matrix and its cross-jurisdiction slice. Jurisdiction A (玄武区) holds data;
 * users of every role at A, at A's station, at the city above and at the sibling county B
 * (秦淮区) call every route of the OpenAPI document, aimed at A's objects. The outcome of each
 * cell is recorded data (permission-matrix.json) checked on both backends, under rules no cell
 * may break: a sibling's call is refused (403/404, or 400 for a filter the route does not take)
 * or, for a list, answers without any of A's data, and changes nothing. A route this suite has
 * no sample or no expectation for fails it, so a route added later is covered as soon as it exists.
 */
const A_COUNTY = '320102';
const A_STATION = '320102901';
const B_COUNTY = '320104';
const B_STATION = '320104901';
const MARK = '甲标记';
const MATRIX_FILE = path.resolve('test/integration/permission-matrix.json');
const A_USCC = '92320102MA1PX7EB3T';

const BODIES: Record<string, unknown> = {
  'POST /api/v1/stations': { countyCode: A_COUNTY, suffix: '777', name: '越权所' },
  'PATCH /api/v1/stations/:code': { name: '越权改名' },
  'POST /api/v1/units': { kind: 'guidance_post', jurisdictionCode: A_STATION, name: '越权指导站' },
  'PATCH /api/v1/units/:id': { name: '越权改名' },
  'POST /api/v1/accounts': { username: 'intruder', displayName: '越权', jurisdictionCode: A_COUNTY, roles: ['viewer'] },
  'PATCH /api/v1/accounts/:id': { displayName: '越权' },
  'PUT /api/v1/settings/security': { lockoutThreshold: 6 },
  'PUT /api/v1/settings/rules': { jointBranchMaxUnits: 6 },
  'PATCH /api/v1/entities/:id': { address: '越权修改的住所' }, // not a status: a revocation would close A's cases before their routes run
  'POST /api/v1/zones': { kind: 'market', name: '越权市场', countyCode: A_COUNTY },
  'PATCH /api/v1/zones/:id': { name: '越权改名' },
  'POST /api/v1/imports/:kind': {},
  'POST /api/v1/imports/:kind/upload': {},
  'POST /api/v1/imports/:kind/plan': { upload: 'u1-0123456789abcdef' },
  'POST /api/v1/imports/:kind/start': { upload: 'u1-0123456789abcdef', acknowledge: [] },
  'POST /api/v1/import-profiles': { kind: 'registry', name: '乙的配置', mapping: { name: '字号' } },
  'POST /api/v1/unassigned-entities/assign': { stationCode: A_STATION, entityIds: [1] },
  'POST /api/v1/entities/:id/people': { role: 'employee', name: '越权员工' },
  'POST /api/v1/cases/:id/actions': { action: 'dismiss', reason: '越权' },
  'POST /api/v1/entities/:id/people/:roleId/member': { membership: 'full' },
  'POST /api/v1/orgs': { name: '越权党支部', kind: 'branch', setupMode: 'standalone', placeCode: A_STATION },
  'PATCH /api/v1/orgs/:id': { status: 'dissolved', dissolvedOn: '2026-01-01' },
  'POST /api/v1/orgs/:id/entities': { entityId: 1 },
  'POST /api/v1/orgs/:id/members': { name: '越权团员', idNumber: '11010519491231002X' },
  'POST /api/v1/orgs/:id/officers': { personId: 1, role: 'secretary', termStart: '2026-01-01' },
  'POST /api/v1/org-proposals/:id/accept': {},
  'POST /api/v1/org-proposals/:id/move': { entityId: 1, toProposalId: 1 },
  'POST /api/v1/org-proposals/:id/reject': { reason: '越权不采纳' },
  'POST /api/v1/instructors': { name: '越权指导员', source: 'station', placeCode: A_STATION },
  'PATCH /api/v1/instructors/:id': { status: 'inactive' },
  'POST /api/v1/instructors/:id/assignments': { target: 'entity', targetId: 1 },
  'POST /api/v1/instructors/:id/assignments/:key/end': { reason: '越权结束' },
  'POST /api/v1/guidance-records': {
    instructorId: 1,
    entityId: 1,
    onDate: '2026-01-01',
    kind: 'visit',
    content: '越权登记的指导',
  },
  'PATCH /api/v1/guidance-records/:id': { followUpDone: true },
  'POST /api/v1/sanliang': {
    kind: 'member_operator',
    memberId: 1,
    entityId: 1,
    duties: '越权职责',
    commitment: '越权承诺',
    shownOn: '2026-01-01',
  },
  'PATCH /api/v1/sanliang/:id': { duties: '越权修改职责' },
  'POST /api/v1/plaques/:id/revoke': { reason: '越权撤销' },
  'POST /api/v1/plaques/:id/reissue': { reason: '越权补发' },
  'POST /api/v1/plaque-feedback/:id/handle': { note: '越权处理' },
  'POST /api/v1/points': {
    kind: 'contact',
    level: 'county',
    subjectType: 'entity',
    subjectId: 1,
    designatedOn: '2025-01-01',
    responsibleName: '越权局长',
  },
  'PATCH /api/v1/points/:id': { evidence: '越权修改' },
  'POST /api/v1/points/:id/reviews': { year: 2025, outcome: 'revoke', reason: '越权撤销' },
  'POST /api/v1/honours': { kind: 'honest_enterprise', entityId: 1 },
  'POST /api/v1/honours/:id/actions': { action: 'reject', reason: '越权不通过' },
  'POST /api/v1/entities/:id/violations': { occurredOn: '2025-01-01', description: '越权记录违法' },
  'POST /api/v1/campaigns': {
    name: '越权活动',
    theme: 'other',
    startsOn: '2025-01-01',
    endsOn: '2025-12-31',
    jurisdictionCode: A_COUNTY,
  },
  'PATCH /api/v1/campaigns/:id': { name: '越权改名' },
  'POST /api/v1/campaigns/:id/orgs': { orgId: 1, members: 1 },
  'POST /api/v1/campaigns/:id/activities': { heldOn: '2025-03-01', title: '越权活动', participants: 1 },
  'POST /api/v1/trainings': { name: '乙自办培训班', level: 'county', startsOn: '2025-03-01', endsOn: '2025-03-02' },
  'PATCH /api/v1/trainings/:id': { name: '越权改名' },
  'POST /api/v1/trainings/:id/trainees': { officerIds: [1] },
  'PATCH /api/v1/trainings/:id/trainees/:key': { attended: true, completed: true },
  'PUT /api/v1/code-lists/:kind': { entries: [{ code: 'intruder', label: '越权类型' }] },
  'POST /api/v1/new-employment/platforms': { name: '越权平台', business: 'express', jurisdictionCode: A_COUNTY },
  'PATCH /api/v1/new-employment/platforms/:id': { name: '越权改名' },
  'POST /api/v1/new-employment/platforms/:id/partners': { name: '越权合作商', placeCode: A_STATION },
  'POST /api/v1/new-employment/stations': { platformId: 1, name: '越权站点', placeCode: A_STATION },
  'PATCH /api/v1/new-employment/stations/:id': { status: 'closed', closedOn: '2026-01-01' },
  'POST /api/v1/new-employment/stations/:id/rider-counts': { asOf: '2026-01-01', riders: 1 },
  'POST /api/v1/new-employment/stations/:id/riders': { role: 'member', name: '越权骑手' },
  'POST /api/v1/new-employment/stations/:id/riders/:key/leave': {},
  'POST /api/v1/new-employment/committees': {
    name: '越权行业党委',
    jurisdictionCode: A_COUNTY,
    foundedOn: '2024-01-01',
  },
  'POST /api/v1/new-employment/mobile-branches': {
    name: '越权流动党员党支部',
    placeCode: A_STATION,
    approvedByOrgId: 1,
    approvedOn: '2024-01-01',
    foundedOn: '2024-02-01',
  },
  'POST /api/v1/new-employment/orgs/:id/units': { deliveryStationId: 1 },
  'POST /api/v1/new-employment/cards': {
    memberId: 1,
    orgId: 1,
    cardNo: '越权',
    issuedBy: '越权支部',
    issuedOn: '2025-01-01',
    expiresOn: '2027-01-01',
  },
  'PATCH /api/v1/new-employment/cards/:id': { returnedOn: '2026-01-01' },
  'POST /api/v1/assistance/programs': {
    name: '越权帮扶',
    businessLine: 'quality',
    startsOn: '2026-01-01',
    endsOn: '2026-12-31',
    jurisdictionCode: A_COUNTY,
  },
  'PATCH /api/v1/assistance/programs/:id': { name: '越权改名' },
  'POST /api/v1/assistance/programs/:id/entities': { entityId: 1 },
  'PATCH /api/v1/assistance/programs/:id/entities/:key': { outcome: 'ongoing' },
  'PUT /api/v1/settings/cases': { acceptDays: 3 },
  'PUT /api/v1/settings/exit': { liftOnRemoval: 'confirm' },
  'POST /api/v1/exit-reviews/:id/review': { note: '越权复核' },
  'POST /api/v1/exit-reviews/:id/lift': { note: '越权恢复' },
  'POST /api/v1/appeals/:id/actions': { action: 'accept' },
  'POST /api/v1/service-posts': {
    name: '越权驿站',
    jurisdictionCode: A_STATION,
    address: '越权路 1 号',
    openingHours: '全天',
  },
  'PATCH /api/v1/service-posts/:id': { active: false },
  'POST /api/v1/visit-plans/:id/cancel': { reason: '越权取消' },
  'POST /api/v1/assistance/programs/:id/cancel': { reason: '越权取消' },
  'POST /api/v1/campaigns/:id/cancel': { reason: '越权取消' },
  'POST /api/v1/reports/periods': { form: 'xgz_core', period: '2026-Q4' },
  'POST /api/v1/visit-plans': {
    title: '越权计划',
    visitorName: '越权人',
    startsOn: '2026-01-01',
    endsOn: '2026-01-31',
    entityIds: [1],
  },
  'POST /api/v1/visits': {
    entityId: 1,
    visitedOn: '2026-01-01',
    visitorName: '越权人',
    learned: '越权走访',
    problems: [{ line: 'quality', content: '越权提出的问题' }],
  },
  'POST /api/v1/reports': { form: 'xgz_core', period: '2026-Q1' },
  'PATCH /api/v1/reports/:id': { note: '越权说明' },
  'POST /api/v1/reports/:id/submit': { acknowledgement: '越权上报' },
  'POST /api/v1/reports/:id/return': { reason: '越权退回' },
  'PUT /api/v1/assessments/:code': { year: 2026, items: [{ kind: 'manual', label: '越权考核项', weight: 10 }] },
  'POST /api/v1/deployments': { kind: 'notice', title: '越权通知', body: '越权', targets: [A_STATION] },
  'PATCH /api/v1/deployments/:id': { title: '越权修改', note: '越权' },
  'POST /api/v1/deployments/:id/withdraw': { reason: '越权撤回' },
  'POST /api/v1/deployment-targets/:id/reply': { text: '越权回复' },
  'POST /api/v1/deployment-targets/:id/return': { reason: '越权退回' },
  'POST /api/v1/attachments/:ownerType/:ownerId': {},
  'POST /api/v1/point-recommendations': { kind: 'demo', subjectType: 'entity', subjectId: 1, reason: '越权推荐理由' },
  'POST /api/v1/point-recommendations/:id/review': { decision: 'reject', reason: '越权不予采纳' },
  'POST /api/v1/point-recommendations/:id/resubmit': { reason: '越权重新报送' },
  'POST /api/v1/service-accounts': {
    name: '越权对接平台',
    jurisdictionCode: A_COUNTY,
    permissions: ['changes.read'],
    expiresAt: `${new Date().getFullYear() + 1}-12-31`,
    ipAllowlist: ['127.0.0.1'],
  },
  'PATCH /api/v1/service-accounts/:id': { note: '越权修改' },
  'POST /api/v1/service-accounts/:id/revoke': { reason: '越权吊销' },
  'PUT /api/v1/service-accounts/:id/certificate': { fingerprint: 'ab'.repeat(32) },
  'POST /api/v1/exchange/imports/:kind': {},
};
/** Routes that act on the caller's own subtree and name nothing of another's: they may succeed. */
const OWN_SCOPE = new Set([
  'POST /api/v1/reports/periods',
  'POST /api/v1/import-profiles',
  'POST /api/v1/notifications/read-all',
  'POST /api/v1/discovery/runs',
  'POST /api/v1/org-proposals/generate',
  'POST /api/v1/orgs/from-reports',
  'POST /api/v1/trainings',
  'POST /api/v1/dashboard/snapshots',
  'POST /api/v1/reports',
]);
/** POST routes that take no body. */
const NO_BODY =
  /service-accounts\/:id\/token$|reset-password|unlock|reset-totp|reveal|cancel|rerun|\/receive$|\/accept$|\/read$|read-all$|discovery\/runs$|generate$|from-reports$|sanliang\/:id\/plaques$|dashboard\/snapshots$/;

describe.each(BACKENDS)('jurisdiction scope on %s', (backend) => {
  let t: TestApp;
  const ids: Record<string, (string | number)[]> = {};
  const roleIds: number[] = [];
  const subIds: Record<string, (string | number)[]> = {};

  const snapshot = async () =>
    JSON.stringify([
      await t.db.selectFrom('jurisdiction').selectAll().where('code', 'like', `${A_COUNTY}%`).orderBy('code').execute(),
      await t.db
        .selectFrom('bureau_unit')
        .selectAll()
        .where('scope_key', 'like', `${A_COUNTY}%`)
        .orderBy('id')
        .execute(),
      await t.db
        .selectFrom('app_user')
        .select([
          'id',
          'username',
          'display_name',
          'roles',
          'disabled',
          'password_hash',
          'locked_until',
          'totp_enabled',
        ])
        .where('scope_key', 'like', `${A_COUNTY}%`)
        .orderBy('id')
        .execute(),
      await t.db
        .selectFrom('user_session')
        .select('id_hash')
        .where('scope_key', 'like', `${A_COUNTY}%`)
        .orderBy('id_hash')
        .execute(),
      await t.db.selectFrom('setting').selectAll().execute(),
      await t.db.selectFrom('entity').selectAll().orderBy('id').execute(),
      await t.db.selectFrom('zone').selectAll().orderBy('id').execute(),
      await t.db.selectFrom('import_job').select(['id', 'status', 'cancel_requested']).orderBy('id').execute(),
      await t.db
        .selectFrom('import_profile')
        .selectAll()
        .where('scope_key', 'like', `${A_COUNTY}%`)
        .orderBy('id')
        .execute(),
      await t.db.selectFrom('entity_person').selectAll().orderBy('id').execute(),
      await t.db
        .selectFrom('discovery_case')
        .select(['id', 'state', 'evidence_hash'])
        .where('scope_key', 'like', `${A_COUNTY}%`)
        .orderBy('id')
        .execute(),
      await t.db
        .selectFrom('member')
        .select(['id', 'confidence', 'org_relation'])
        .where('scope_key', 'like', `${A_COUNTY}%`)
        .orderBy('id')
        .execute(),
      await t.db.selectFrom('party_org').selectAll().orderBy('id').execute(),
      await t.db.selectFrom('party_org_entity').selectAll().orderBy('entity_id').execute(),
      await t.db.selectFrom('party_org_member').selectAll().orderBy('id').execute(),
      await t.db.selectFrom('party_org_officer').selectAll().orderBy('id').execute(),
      await t.db
        .selectFrom('org_proposal')
        .selectAll()
        .where('scope_key', 'like', `${A_COUNTY}%`)
        .orderBy('id')
        .execute(),
      await t.db
        .selectFrom('org_proposal_entity')
        .selectAll()
        .where('scope_key', 'like', `${A_COUNTY}%`)
        .orderBy('entity_id')
        .execute(),
      await t.db.selectFrom('instructor').selectAll().orderBy('id').execute(),
      await t.db.selectFrom('instructor_assignment').selectAll().orderBy('id').execute(),
      await t.db.selectFrom('guidance_record').selectAll().orderBy('id').execute(),
      await t.db.selectFrom('sanliang').selectAll().orderBy('id').execute(),
      await t.db.selectFrom('sanliang_plaque').selectAll().orderBy('id').execute(),
      await t.db.selectFrom('plaque_feedback').selectAll().orderBy('id').execute(),
      ...(await Promise.all(
        (
          [
            'recognition_point',
            'point_review',
            'honour',
            'entity_violation',
            'campaign',
            'campaign_activity',
            'training_class',
            'training_trainee',
          ] as const
        ).map((tbl) =>
          t.db.selectFrom(tbl).selectAll().where('scope_key', 'like', `${A_COUNTY}%`).orderBy('id').execute(),
        ),
      )),
      await t.db.selectFrom('campaign_org').selectAll().orderBy('org_id').execute(),
      ...(await Promise.all(
        (
          [
            'platform',
            'platform_partner',
            'delivery_station',
            'rider_count',
            'rider_person',
            'party_org_unit',
            'mobile_card',
            'assistance_program',
            'assistance_entity',
          ] as const
        ).map((tbl) =>
          t.db.selectFrom(tbl).selectAll().where('scope_key', 'like', `${A_COUNTY}%`).orderBy('id').execute(),
        ),
      )),
      ...(await Promise.all(
        (['appeal_case', 'appeal_event', 'service_post', 'visit_plan', 'visit_record'] as const).map((tbl) =>
          t.db.selectFrom(tbl).selectAll().orderBy('id').execute(),
        ),
      )),
      await t.db.selectFrom('report').selectAll().where('scope_key', 'like', `${A_COUNTY}%`).orderBy('id').execute(),
      await t.db.selectFrom('report_version').select(['report_id', 'version']).orderBy('report_id').execute(),
      await t.db.selectFrom('assessment_item').selectAll().orderBy('id').execute(),
      await t.db.selectFrom('station_rule').selectAll().orderBy('id').execute(),
      // Tasks, their targets and events of A's subtree (a sibling's own report period reaches its own stations).
      ...(await Promise.all(
        (['deployment', 'deployment_target', 'deployment_event'] as const).map((tbl) =>
          t.db.selectFrom(tbl).selectAll().where('scope_key', 'like', `${A_COUNTY}%`).orderBy('id').execute(),
        ),
      )),
      ...(await Promise.all(
        (['attachment', 'notification', 'point_recommendation'] as const).map((tbl) =>
          t.db.selectFrom(tbl).selectAll().orderBy('id').execute(),
        ),
      )),
      await t.db
        .selectFrom('service_account')
        .select([
          'user_id',
          'name',
          'note',
          'permissions',
          'token_hash',
          'expires_at',
          'ip_allowlist',
          'rate_per_minute',
          'revoked_at',
        ])
        .orderBy('user_id')
        .execute(),
      await t.db.selectFrom('exchange_batch').selectAll().orderBy('job_id').execute(),
    ]);

  beforeAll(async () => {
    t = await testApp(backend);
    // A's data, made by A's own editor through the API.
    const aEditor = await t.user({ roles: ['editor'], jurisdiction: A_COUNTY, username: 'a_editor_甲标记' });
    const a = await t.signIn(aEditor);
    expect((await a.post('/stations', { countyCode: A_COUNTY, suffix: '901', name: `${MARK}所` })).statusCode).toBe(
      201,
    );
    const unit = await a.post('/units', { kind: 'xgz_committee', jurisdictionCode: A_COUNTY, name: `${MARK}党委` });
    const post = await a.post('/units', { kind: 'guidance_post', jurisdictionCode: A_STATION, name: `${MARK}指导站` });
    const aStaff = await t.user({ roles: ['station_staff'], jurisdiction: A_STATION, username: 'a_staff_甲标记' });
    const staff = await t.signIn(aStaff);
    ids['/api/v1/units'] = [unit.json().id, post.json().id];
    ids['/api/v1/accounts'] = [aEditor.id, aStaff.id];
    ids['/api/v1/sessions'] = [hashToken(decodeURIComponent(staff.cookie.split('=')[1]))];
    // A's ledger: an entity with a legal representative in a zone, and the import that brought it.
    const dir = tmpDir();
    t.app.ctx.config.dataDir = dir; // attachments land here
    const file = csvFile(dir, 'a.csv', [
      {
        统一社会信用代码: A_USCC,
        名称: `${MARK}小吃店`,
        主体类型: '个体工商户',
        所属县区代码: A_COUNTY,
        基层所代码: A_STATION,
        所在区域名称: `${MARK}市场`,
        区域类型: '专业市场',
        '法定代表人/经营者': '甲某',
        '法定代表人/经营者身份证号': '11010519491231002X',
        '法定代表人/经营者手机': '13912345678',
      },
    ]);
    const { job } = await importFile(t, 'registry', file, { id: aEditor.id, scopeKey: A_COUNTY });
    expect(job.rows_accepted).toBe(1);
    const entity = await t.db.selectFrom('entity').select('id').where('uscc', '=', A_USCC).executeTakeFirstOrThrow();
    ids['/api/v1/entities'] = [entity.id];
    ids['/api/v1/zones'] = [(await t.db.selectFrom('zone').select('id').executeTakeFirstOrThrow()).id];
    ids['/api/v1/imports'] = [job.id];
    const profile = await a.post('/import-profiles', {
      kind: 'registry',
      name: `${MARK}来源配置`,
      mapping: { name: '字号名称' },
    });
    expect(profile.statusCode).toBe(200);
    ids['/api/v1/import-profiles'] = [profile.json().id];
    roleIds.push(
      (await t.db.selectFrom('entity_person').select('id').where('entity_id', '=', entity.id).executeTakeFirstOrThrow())
        .id,
    );
    // A's roster member (the legal representative) and the cases discovery raises for A.
    await importFile(
      t,
      'roster',
      csvFile(dir, 'm.csv', [
        { 姓名: '甲某', 公民身份号码: '11010519491231002X', 党员类别: '正式党员', 组织关系所在党组织: '别处党支部' },
      ]),
      { id: aEditor.id, scopeKey: A_COUNTY },
    );
    const run = await a.post('/discovery/runs');
    await Promise.all(t.app.discoveryRuns);
    ids['/api/v1/discovery/runs'] = [run.json().id];
    ids['/api/v1/members'] = (await t.db.selectFrom('member').select('id').execute()).map((m) => m.id);
    // A's organization (with a covered entity, a registered member and a secretary) and A's proposals.
    const org = await a.post('/orgs', {
      name: `${MARK}党支部`,
      kind: 'branch',
      setupMode: 'standalone',
      placeCode: A_STATION,
      entityIds: [entity.id],
    });
    expect(org.statusCode).toBe(201);
    const memberRow = await a.post(`/orgs/${org.json().id}/members`, { memberId: ids['/api/v1/members'][0] });
    const person = (
      await t.db
        .selectFrom('member')
        .select('person_id')
        .where('id', '=', Number(ids['/api/v1/members'][0]))
        .executeTakeFirstOrThrow()
    ).person_id;
    const officer = await a.post(`/orgs/${org.json().id}/officers`, {
      personId: person,
      role: 'secretary',
      termStart: '2025-01-01',
    });
    expect([memberRow.statusCode, officer.statusCode]).toEqual([201, 201]);
    ids['/api/v1/orgs'] = [org.json().id];
    // Cases as the organization left them (cases follow the facts: registering the member closed some), open ones first.
    ids['/api/v1/cases'] = (
      await t.db
        .selectFrom('discovery_case')
        .select('id')
        .orderBy(sql`state IN ('open', 'contacted')`, 'desc')
        .orderBy('id')
        .execute()
    ).map((c) => c.id);
    expect(
      (await t.db.selectFrom('discovery_case').select('id').where('state', 'in', ['open', 'contacted']).execute())
        .length,
    ).toBeGreaterThan(0);
    subIds.key = [entity.id, memberRow.json().id, officer.json().id];
    // A's 三亮 record with a plaque, and a problem the public reported about it.
    const sl = await a.post('/sanliang', {
      kind: 'member_operator',
      memberId: ids['/api/v1/members'][0],
      entityId: entity.id,
      duties: `${MARK}职责`,
      commitment: `${MARK}承诺`,
      shownOn: '2026-01-01',
    });
    const plaque = await a.post(`/sanliang/${sl.json().id}/plaques`);
    const fb = await t.app.inject({
      method: 'POST',
      url: `/api/v1/public/plaques/${(await t.db.selectFrom('sanliang_plaque').select('public_token').where('number', '=', plaque.json().number).executeTakeFirstOrThrow()).public_token}/feedback`,
      payload: { category: 'other', content: `${MARK}反映内容` },
    });
    expect([sl.statusCode, plaque.statusCode, fb.statusCode]).toEqual([201, 201, 201]);
    ids['/api/v1/sanliang'] = [sl.json().id];
    ids['/api/v1/plaques'] = [plaque.json().id];
    ids['/api/v1/plaque-feedback'] = (await t.db.selectFrom('plaque_feedback').select('id').execute()).map((f) => f.id);
    await t.db.deleteFrom('party_org_entity').execute(); // leaves the entity to be proposed
    expect((await a.post('/org-proposals/generate')).statusCode).toBe(200);
    ids['/api/v1/org-proposals'] = (await t.db.selectFrom('org_proposal').select('id').execute()).map((p) => p.id);
    expect(ids['/api/v1/org-proposals'].length).toBeGreaterThan(0);
    // A's instructor, assigned to the entity, with a guidance record.
    const instructor = await a.post('/instructors', {
      name: `${MARK}指导员`,
      source: 'station',
      placeCode: A_STATION,
      phone: '13912345678',
    });
    expect(
      (await a.post(`/instructors/${instructor.json().id}/assignments`, { target: 'entity', targetId: entity.id }))
        .statusCode,
    ).toBe(201);
    const guidance = await a.post('/guidance-records', {
      instructorId: instructor.json().id,
      entityId: entity.id,
      onDate: '2026-01-05',
      kind: 'visit',
      content: `${MARK}走访`,
      followUp: '跟进',
    });
    ids['/api/v1/instructors'] = [instructor.json().id];
    ids['/api/v1/guidance-records'] = [guidance.json().id];
    // A's recognition ledger: a point, an honour, a serious violation, a campaign with the organization and an activity, a class with the secretary.
    const point = await a.post('/points', {
      kind: 'contact',
      level: 'county',
      subjectType: 'entity',
      subjectId: entity.id,
      designatedOn: '2025-01-01',
      responsibleName: `${MARK}局长`,
    });
    const honour = await a.post('/honours', { kind: 'honest_enterprise', entityId: entity.id });
    const violation = await a.post(`/entities/${entity.id}/violations`, {
      occurredOn: '2025-06-01',
      description: `${MARK}违法记录`,
    });
    const campaign = await a.post('/campaigns', {
      name: `${MARK}主题教育`,
      theme: 'theme_education',
      startsOn: '2025-01-01',
      endsOn: '2025-12-31',
    });
    const joined = await a.post(`/campaigns/${campaign.json().id}/orgs`, { orgId: org.json().id });
    const activity = await a.post(`/campaigns/${campaign.json().id}/activities`, {
      heldOn: '2025-03-01',
      title: `${MARK}党课`,
      participants: 5,
      orgId: org.json().id,
    });
    const cls = await a.post('/trainings', {
      name: `${MARK}培训班`,
      level: 'county',
      startsOn: '2025-03-01',
      endsOn: '2025-03-02',
    });
    const trainee = await a.post(`/trainings/${cls.json().id}/trainees`, { officerIds: [officer.json().id] });
    expect([point, honour, violation, campaign, activity, cls].map((x) => x.statusCode)).toEqual([
      201, 201, 201, 201, 201, 201,
    ]);
    expect([joined.statusCode, trainee.statusCode]).toEqual([204, 200]);
    ids['/api/v1/points'] = [point.json().id];
    ids['/api/v1/honours'] = [honour.json().id];
    ids['/api/v1/campaigns'] = [campaign.json().id];
    ids['/api/v1/trainings'] = [cls.json().id];
    // A's new employment ledger: a platform with a partner firm and a station (riders counted, a member rider), a rider committee, a mobile
    // branch it approved serving the station, a card registered there; and an assistance program with the entity.
    const platform = await a.post('/new-employment/platforms', { name: `${MARK}平台`, business: 'food_delivery' });
    const partner = await a.post(`/new-employment/platforms/${platform.json().id}/partners`, {
      name: `${MARK}合作商`,
      placeCode: A_STATION,
    });
    const dStation = await a.post('/new-employment/stations', {
      platformId: platform.json().id,
      partnerId: partner.json().id,
      name: `${MARK}配送站`,
      placeCode: A_STATION,
    });
    const riders = await a.post(`/new-employment/stations/${dStation.json().id}/rider-counts`, {
      asOf: '2026-01-01',
      riders: 12,
    });
    const rider = await a.post(`/new-employment/stations/${dStation.json().id}/riders`, {
      role: 'member',
      memberId: ids['/api/v1/members'][0],
    });
    const committee = await a.post('/new-employment/committees', { name: `${MARK}行业党委`, foundedOn: '2024-01-01' });
    const mobile = await a.post('/new-employment/mobile-branches', {
      name: `${MARK}流动党员党支部`,
      placeCode: A_STATION,
      approvedByOrgId: committee.json().id,
      approvedOn: '2024-02-01',
      foundedOn: '2024-03-01',
      deliveryStationIds: [dStation.json().id],
    });
    const card = await a.post('/new-employment/cards', {
      memberId: ids['/api/v1/members'][0],
      orgId: mobile.json().id,
      cardNo: 'A-001',
      issuedBy: `${MARK}家乡支部`,
      issuedOn: '2025-01-01',
      expiresOn: '2027-01-01',
    });
    const program = await a.post('/assistance/programs', {
      name: `${MARK}帮扶`,
      businessLine: 'quality',
      startsOn: '2026-01-01',
      endsOn: '2026-12-31',
    });
    const helped = await a.post(`/assistance/programs/${program.json().id}/entities`, {
      entityId: entity.id,
      problem: `${MARK}问题`,
    });
    expect(
      [platform, partner, dStation, riders, rider, committee, mobile, card, program, helped].map((x) => x.statusCode),
    ).toEqual(Array(10).fill(201));
    ids['/api/v1/new-employment/platforms'] = [platform.json().id];
    ids['/api/v1/new-employment/stations'] = [dStation.json().id];
    ids['/api/v1/new-employment/orgs'] = [committee.json().id, mobile.json().id];
    ids['/api/v1/new-employment/cards'] = [card.json().id];
    ids['/api/v1/assistance/programs'] = [program.json().id];
    // A's cases: a rider's appeal at A's station (with a phone), a service post, a visit whose problem went to A's county line.
    const sp = await a.post('/service-posts', {
      name: `${MARK}驿站`,
      jurisdictionCode: A_STATION,
      address: `${MARK}路`,
      openingHours: '全天',
      offers: ['water'],
    });
    const appeal = await t.app.inject({
      method: 'POST',
      url: '/api/v1/public/appeals',
      payload: { category: 'parking', content: `${MARK}诉求内容`, phone: '13912345678', servicePostId: sp.json().id },
    });
    const plan = await staff.post('/visit-plans', {
      title: `${MARK}走访计划`,
      visitorName: '甲走访人',
      startsOn: '2026-01-01',
      endsOn: '2026-01-31',
      entityIds: [entity.id],
    });
    const visit = await staff.post('/visits', {
      planId: plan.json().id,
      entityId: entity.id,
      visitedOn: '2026-01-05',
      visitorName: '甲走访人',
      learned: `${MARK}了解情况`,
      problems: [{ line: 'quality', content: `${MARK}质量问题` }],
    });
    expect([sp, appeal, plan, visit].map((x) => x.statusCode)).toEqual([201, 201, 201, 201]);
    ids['/api/v1/service-posts'] = [sp.json().id];
    ids['/api/v1/appeals'] = (await t.db.selectFrom('appeal_case').select('id').execute()).map((c) => c.id);
    ids['/api/v1/visits'] = [visit.json().id];
    ids['/api/v1/visit-plans'] = [plan.json().id];
    expect(ids['/api/v1/appeals'].length).toBe(3); // the plaque report, the rider's appeal, the visit problem
    // A's statistical report, submitted (version 1).
    // (2026-Q1 is over and has no period-end snapshot: prepared from live figures, saying why; the stations marked 缺报.)
    const report = await a.post('/reports', {
      form: 'xgz_core',
      period: '2026-Q1',
      source: 'live',
      liveReason: `${MARK}无期末快照`,
    });
    expect(report.statusCode).toBe(201);
    const waiting = (report.json().waiting as { code: string }[]).map((c) => ({ code: c.code, reason: `${MARK}缺报` }));
    if (waiting.length)
      expect((await a.patch(`/reports/${report.json().id}`, { missing: waiting })).statusCode).toBe(200);
    expect((await a.post(`/reports/${report.json().id}/submit`, { explanation: `${MARK}差异说明` })).statusCode).toBe(
      201,
    );
    ids['/api/v1/reports'] = [report.json().id];
    subIds.version = [1];
    // A's yearly assessment of its station.
    expect(
      (
        await a.put(`/assessments/${A_STATION}`, {
          year: 2026,
          items: [{ kind: 'manual', label: `${MARK}考核项`, weight: 10, manualScore: 8, evidence: `${MARK}依据` }],
        })
      ).statusCode,
    ).toBe(204);
    // A's 待分配基层所: an imported entity no station was found for, and a remembered rule.
    const unplaced = csvFile(dir, 'u.csv', [
      {
        统一社会信用代码: '92320102MA1PX7EC1M',
        名称: `${MARK}未分配店`,
        主体类型: '个体工商户',
        所属县区代码: A_COUNTY,
        住所: `${MARK}路 1 号`,
      },
    ]);
    expect((await importFile(t, 'registry', unplaced, { id: aEditor.id, scopeKey: A_COUNTY })).job.rows_accepted).toBe(
      1,
    );
    expect((await a.get('/unassigned-entities')).json().total).toBe(1);
    const rule = await a.post('/unassigned-entities/assign', {
      stationCode: A_STATION,
      keyword: `${MARK}新村`,
      remember: true,
    });
    expect(rule.json()).toMatchObject({ assigned: 0, ruleId: expect.any(Number) });
    ids['/api/v1/station-rules'] = [rule.json().ruleId];
    // A's notice-and-task loop: a county task to A's station with a file, received and replied to with a file; the station's notifications.
    const task = await a.post('/deployments', {
      kind: 'task',
      title: `${MARK}任务`,
      body: `${MARK}要求`,
      dueAt: new Date(Date.now() + 5 * 86_400_000).toISOString(),
      targets: [A_STATION],
    });
    expect(task.statusCode).toBe(201);
    const taskFile = await upload(a, 'deployment', task.json().id, `${MARK}方案.pdf`, PDF);
    const targetId = (await staff.get(`/deployments/${task.json().id}`)).json().own.id;
    const replyFile = await upload(staff, 'deployment_target', targetId, `${MARK}照片.png`, PNG);
    expect((await staff.post(`/deployment-targets/${targetId}/reply`, { text: `${MARK}办理情况` })).statusCode).toBe(
      200,
    );
    expect([taskFile.statusCode, replyFile.statusCode]).toEqual([201, 201]);
    ids['/api/v1/deployments'] = [task.json().id];
    ids['/api/v1/deployment-targets'] = [targetId];
    ids['/api/v1/attachments'] = [taskFile.json().id, replyFile.json().id];
    ids['/api/v1/notifications'] = (await t.db.selectFrom('notification').select('id').execute()).map((n) => n.id);
    expect(ids['/api/v1/notifications'].length).toBeGreaterThan(0);
    // A's station recommends the entity to the county as a demonstration point (issue 13).
    const recommended = await staff.post('/point-recommendations', {
      kind: 'demo',
      subjectType: 'entity',
      subjectId: entity.id,
      reason: `${MARK}推荐理由`,
    });
    expect(recommended.statusCode, recommended.body).toBe(201);
    ids['/api/v1/point-recommendations'] = [recommended.json().id];
    // A's entity on the 经营异常名录 (as an import would list it): its plaque suspended, an exit review for A's station.
    await t.db
      .insertInto('credit_listing')
      .values({
        list: 'abnormal',
        entity_id: entity.id,
        scope_key: (
          await t.db.selectFrom('entity').select('scope_key').where('id', '=', entity.id).executeTakeFirstOrThrow()
        ).scope_key,
        listed_on: '2026-01-10',
        listed_reason: `${MARK}未按期公示年报`,
      })
      .execute();
    ids['/api/v1/exit-reviews'] = (await t.db.selectFrom('exit_review').select('id').execute()).map((r) => r.id);
    expect(ids['/api/v1/exit-reviews'].length).toBe(1);
    // A's station's manual assessment item takes evidence files (the station itself, before the deadline).
    const stationItem = await t.db
      .selectFrom('assessment_item')
      .select('id')
      .where('jurisdiction_code', '=', A_STATION)
      .where('kind', '=', 'manual')
      .executeTakeFirstOrThrow();
    subIds.ownerType = ['deployment', 'deployment_target', 'assessment_item'];
    subIds.ownerId = [task.json().id, Number(stationItem.id)];
    // A's service account (issued by A's security administrator) and a batch it delivered (issue 15).
    const aSec = await t.signIn(await t.user({ roles: ['secadmin'], jurisdiction: A_COUNTY }));
    const sa = await aSec.post('/service-accounts', {
      name: `${MARK}对接平台`,
      jurisdictionCode: A_COUNTY,
      permissions: ['registry.write', 'changes.read', 'figures.read'],
      expiresAt: `${new Date().getFullYear() + 1}-12-31`,
      ipAllowlist: ['127.0.0.1'],
    });
    expect(sa.statusCode, sa.body).toBe(201);
    // Confirmed by A's business side, who takes the token.
    const aBiz = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: A_COUNTY }));
    const saToken = (await aBiz.post(`/service-accounts/${sa.json().account.id}/token`, {})).json().token as string;
    const delivered = await t.app.inject({
      method: 'POST',
      url: '/api/v1/exchange/imports/registry?batch=A-1',
      headers: { authorization: `Bearer ${saToken}`, 'content-type': 'text/csv' },
      payload: `统一社会信用代码,名称,主体类型,所属县区代码,基层所代码,所在区域名称,区域类型\r\n${A_USCC},${MARK}小吃店,个体工商户,${A_COUNTY},${A_STATION},${MARK}市场,专业市场\r\n`,
    });
    expect(delivered.statusCode, delivered.body).toBe(202);
    await t.app.imports.idle();
    ids['/api/v1/service-accounts'] = [sa.json().account.id];
    ids['/api/v1/exchange/imports'] = [delivered.json().job.id];
    // B's own data, so the positive control below has something to find.
    const bEditor = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: B_COUNTY }));
    expect((await bEditor.post('/stations', { countyCode: B_COUNTY, suffix: '901', name: '乙所' })).statusCode).toBe(
      201,
    );
  }, 600_000);
  afterAll(() => t?.close());

  /**
   * The permission matrix (GitLab's policy tables are the model): every route of the OpenAPI
   * document × every role × the caller's node relative to A's ledger — the same county (玄武区),
   * a sibling county (秦淮区), a child (玄武区's station, which holds the station-level half of the
   * ledger) and the parent (南京市). The expected outcome of each cell is data in
   * permission-matrix.json: the status, for lists the number of rows, and for each personal field
   * of A (ID number, phone) whether the answer shows it in full or masked. A route without an
   * expectation fails the test. On top of the data, rules every cell must keep:
   *   - a role without the route's permission gets 403, whatever the node;
   *   - a sibling sees nothing of A and changes nothing of A (the cross-jurisdiction slice: every
   *     sample id, and the database unchanged afterwards);
   *   - a full ID number or phone appears only in the answer of a reveal route (BOPLA);
   *   - the same county and the parent, holding the permission, can read A's data (no 403/404 on GET);
   *   - nothing answers 5xx.
   * Re-record after a deliberate change: XGZ_MATRIX_RECORD=1 npx vitest run --project integration test/integration/scope.test.ts
   */
  it('permission matrix: every route × every role × same node, sibling, child and parent, as recorded and by the rules', async () => {
    const RELATIONS = { same: A_COUNTY, sibling: B_COUNTY, child: A_STATION, parent: '320100' } as const;
    type Relation = keyof typeof RELATIONS;
    const relations = Object.keys(RELATIONS) as Relation[];
    // Every route the OpenAPI document lists, as `METHOD /path/:param`.
    const doc = (t.app as unknown as { swagger: () => { paths: Record<string, Record<string, unknown>> } }).swagger();
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops)
        .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    const access = new Map(t.app.apiRoutes.map((r) => [`${r.method} ${r.url}`, r.access]));
    for (const key of documented) expect(access.has(key), `${key} is documented but not registered`).toBe(true);
    const routes = documented.filter((k) => !['public', 'signing-in'].includes(access.get(k)!)).sort();
    expect(routes.length).toBeGreaterThan(100);

    const record = process.env.XGZ_MATRIX_RECORD === '1';
    const expected: Record<string, string | Record<string, string[]>> = record
      ? {}
      : JSON.parse(fs.readFileSync(MATRIX_FILE, 'utf8'));
    const actual: Record<string, string | Record<string, string[]>> = {};
    const problems: string[] = [];
    for (const key of documented) if (!routes.includes(key)) actual[key] = access.get(key)!;

    const callers = new Map<string, Awaited<ReturnType<TestApp['signIn']>>>();
    for (const role of ROLE_CODES)
      for (const rel of relations) {
        const u = await t.user({ roles: [role], jurisdiction: RELATIONS[rel] });
        // An instructor's account is bound to A's instructor (assigned to A's entity) at A's county, station
        // and city, and so sees what it is assigned to; the sibling's, which could not be bound to A's, is not.
        if (role === 'instructor' && rel !== 'sibling')
          await t.db
            .updateTable('app_user')
            .set({ bound_instructor_id: Number(ids['/api/v1/instructors'][0]) })
            .where('id', '=', u.id)
            .execute();
        callers.set(`${role}@${rel}`, await t.signIn(u));
      }

    const PERSONAL: [string, string, string][] = [
      ['id', '11010519491231002X', maskIdNumber('11010519491231002X')],
      ['phone', '13912345678', maskPhone('13912345678')],
    ];
    const outcome = (res: Awaited<ReturnType<TestApp['app']['inject']>>) => {
      let s = String(res.statusCode);
      const type = String(res.headers['content-type'] ?? '');
      if (res.statusCode < 300 && type.startsWith('application/json')) {
        const body = res.json();
        const rows = Array.isArray(body) ? body.length : Array.isArray(body?.items) ? body.items.length : undefined;
        if (rows !== undefined) s += ` n=${rows}`;
      } else if (type.includes('spreadsheetml')) s += ' xlsx';
      for (const [field, full, masked] of PERSONAL) {
        if (res.body.includes(full)) s += ` ${field}=full`;
        else if (res.body.includes(masked)) s += ` ${field}=masked`;
      }
      return s;
    };
    const urlsFor = (key: string, all: boolean): string[] => {
      const [method, url] = key.split(' ');
      const params = [...url.matchAll(/:(\w+)/g)].map((m) => m[1]);
      const base = Object.keys(ids).find((p) => url.startsWith(p)) ?? '';
      const values = (p: string): (string | number)[] | undefined =>
        ({
          code: [A_COUNTY, A_STATION],
          id: ids[base],
          kind: ['registry', 'annual_report'],
          roleId: roleIds,
          ...subIds,
        })[p];
      for (const p of params) expect(values(p), `no sample value for :${p} in ${key}`).toBeTruthy();
      const fill = (v: string | number) =>
        params
          .slice(1)
          .reduce((u, p) => u.replace(`:${p}`, String(values(p)![0])), url.replace(`:${params[0]}`, String(v)));
      if (params.length === 0) return [url, ...(all && method === 'GET' ? [`${url}?under=${A_COUNTY}`] : [])];
      return all ? values(params[0])!.map(fill) : [fill(values(params[0])![0])];
    };

    let calls = 0;
    const started = Date.now();
    const cells: Record<string, Record<string, string[]>> = {};
    const run = async (key: string, role: Role, rel: Relation) => {
      const [method] = key.split(' ');
      const c = callers.get(`${role}@${rel}`)!;
      const needsBody = ['POST', 'PUT', 'PATCH'].includes(method) && (BODIES[key] !== undefined || !NO_BODY.test(key));
      if (needsBody) expect(BODIES[key], `no sample body for ${key}`).toBeDefined();
      const perm = access.get(key)!;
      const permitted = perm === 'session' || permissionsOf([role]).has(perm as Permission);
      const urls = urlsFor(key, rel === 'sibling');
      for (const [i, url] of urls.entries()) {
        const res = await c.call(
          method as 'GET',
          url.replace('/api/v1', ''),
          needsBody ? BODIES[key] : method === 'GET' || method === 'DELETE' ? undefined : {},
        );
        await Promise.all(t.app.discoveryRuns);
        calls++;
        const where = `${role}@${rel} → ${method} ${url} (${res.statusCode})`;
        if (res.statusCode >= 500) problems.push(`${where}: server error`);
        if (!permitted && res.statusCode !== 403)
          problems.push(`${where}: ${role} lacks ${perm} but was not refused with 403`);
        if (
          res.statusCode >= 400 &&
          !(
            String(res.headers['content-type']).includes('problem+json') &&
            /[\u4e00-\u9fff]/.test(String(res.json().title))
          )
        )
          problems.push(`${where}: refusal is not Chinese problem+json`);
        if (rel === 'sibling') {
          if (res.statusCode < 300 && method !== 'GET' && !OWN_SCOPE.has(key))
            problems.push(`${where}: a sibling changed A's data`);
          for (const mark of [MARK, A_STATION, 'a_editor', A_USCC])
            if (res.body.includes(mark)) problems.push(`${where}: a sibling saw ${mark}`);
        }
        // (A unit account — 联系点/行业党委 — is refused the county's ledgers by design: it works the cases routed to its
        // unit only; an instructor's account likewise works only what it is assigned to. domain/auth/binding.ts)
        if (
          permitted &&
          narrowingOfRoles([role]) === null &&
          method === 'GET' &&
          (rel === 'same' || rel === 'parent') &&
          [403, 404].includes(res.statusCode)
        )
          problems.push(`${where}: refused A's own data`);
        const o = outcome(res);
        if (perm !== 'personal.reveal' && / (id|phone)=full/.test(o))
          problems.push(`${where}: full personal data outside a reveal route`);
        if (i === 0) ((cells[key] ??= {})[role] ??= Array(relations.length).fill(''))[relations.indexOf(rel)] = o;
      }
    };
    // Reads first, on the untouched ledger; then the sibling's writes (A's data must stay as it was);
    // then the writes of the same county, the parent and the child, which may change A's data.
    const reads = routes.filter((k) => k.startsWith('GET '));
    const writes = routes.filter((k) => !k.startsWith('GET '));
    for (const key of reads) for (const role of ROLE_CODES) for (const rel of relations) await run(key, role, rel);
    const beforeWrites = await snapshot();
    for (const key of writes) for (const role of ROLE_CODES) await run(key, role, 'sibling');
    expect(await snapshot()).toBe(beforeWrites);
    // The same county first (its own data, so its writes should work), then the parent, then the child;
    // reveals before anything that changes a record, removals (DELETE) and cancellations last.
    const order = (k: string) => (k.endsWith('/reveal') ? 0 : k.startsWith('DELETE ') || k.endsWith('/cancel') ? 2 : 1);
    const ordered = [...writes].sort((a, b) => order(a) - order(b) || (a < b ? -1 : 1));
    for (const phase of [0, 1, 2])
      for (const rel of ['same', 'parent', 'child'] as const)
        for (const key of ordered.filter((k) => order(k) === phase))
          for (const role of ROLE_CODES) await run(key, role, rel);
    await Promise.all(t.app.discoveryRuns);

    for (const key of routes) actual[key] = cells[key];
    // Field level (OWASP ASVS V8, BOPLA): who sees A's ID number and phone in full, and who masked.
    const fieldView = (field: string, view: 'full' | 'masked') =>
      ROLE_CODES.filter((r) => routes.some((k) => cells[k][r].some((o) => o.includes(` ${field}=${view}`))));
    for (const field of ['id', 'phone']) {
      expect(fieldView(field, 'full'), `roles that see ${field} in full`).toEqual(
        ROLE_CODES.filter((r) => permissionsOf([r]).has('personal.reveal')),
      );
      // A unit account (联系点/行业党委) reads only the cases routed to its unit: none of A's here (issue 13).
      expect(fieldView(field, 'masked'), `roles that see ${field} masked`).toEqual(
        ROLE_CODES.filter((r) => permissionsOf([r]).has('data.read') && r !== 'unit_staff'),
      );
    }
    const cellCount = routes.length * ROLE_CODES.length * relations.length;
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    console.log(
      `权限矩阵（${backend}）：${routes.length} 条路由 × ${ROLE_CODES.length} 个角色 × ${relations.length} 种辖区关系 = ${cellCount} 格（另 ${documented.length - routes.length} 条公开或登录中路由），共 ${calls} 次请求，${seconds} 秒`,
    );
    if (record) {
      const lines = Object.keys(actual)
        .sort()
        .map(
          (k) =>
            `  ${JSON.stringify(k)}: ${typeof actual[k] === 'string' ? JSON.stringify(actual[k]) : `{\n${ROLE_CODES.map((r) => `    ${JSON.stringify(r)}: ${JSON.stringify((actual[k] as Record<string, string[]>)[r])}`).join(',\n')}\n  }`}`,
        );
      fs.writeFileSync(MATRIX_FILE, `{\n${lines.join(',\n')}\n}\n`);
    } else {
      for (const key of Object.keys(actual)) {
        if (!(key in expected)) {
          problems.push(
            `${key}: no expectation in permission-matrix.json (a new route? record it: XGZ_MATRIX_RECORD=1)`,
          );
          continue;
        }
        const want = expected[key];
        const got = actual[key];
        if (typeof want === 'string' || typeof got === 'string') {
          if (want !== got) problems.push(`${key}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
          continue;
        }
        for (const role of ROLE_CODES)
          for (const [i, rel] of relations.entries()) {
            if (want[role]?.[i] !== got[role][i])
              problems.push(`${key} as ${role}@${rel}: expected "${want[role]?.[i]}", got "${got[role][i]}"`);
          }
      }
      for (const key of Object.keys(expected))
        if (!(key in actual)) problems.push(`${key}: expected in permission-matrix.json but no longer documented`);
    }
    console.log(`权限矩阵（${backend}）：${problems.length} 个不符合预期的结果`);
    expect(problems).toEqual([]);
    expect(calls).toBeGreaterThan(cellCount);
  }, 600_000);

  /**
   * Service accounts (issue 15) on the same slice: tokens bound to A's county, a sibling county, A's
   * station and the city, each with every service permission and with one alone, call every
   * exchange route aimed at A's objects; and a token calls every other route. Rules: a token opens
   * no route but the exchange's (401); a missing permission is 403; the sibling sees nothing of A
   * and writes nothing (a batch aimed at A's node is 403); the county and the city read A's changes.
   */
  it('service accounts: every exchange route × permission × same node, sibling, child and parent; a token opens nothing else', async () => {
    const { SERVICE_PERMISSION_CODES, isServicePermission } = await import('../../src/domain/auth/service.js');
    const RELATIONS = { same: A_COUNTY, sibling: B_COUNTY, child: A_STATION, parent: '320100' } as const;
    const exchange = t.app.apiRoutes.filter((r) => r.access === 'service' || isServicePermission(r.access));
    expect(exchange.map((r) => `${r.method} ${r.url}`).sort()).toEqual(
      expect.arrayContaining(['GET /api/v1/exchange/changes', 'POST /api/v1/exchange/imports/:kind']),
    );
    const tokens: { rel: keyof typeof RELATIONS; perms: string[]; token: string }[] = [];
    for (const [rel, code] of Object.entries(RELATIONS) as [keyof typeof RELATIONS, string][]) {
      const sec = await t.signIn(await t.user({ roles: ['secadmin'], jurisdiction: code }));
      const biz = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: code }));
      for (const perms of [SERVICE_PERMISSION_CODES as string[], ['figures.read']]) {
        const res = await sec.post('/service-accounts', {
          name: `${rel}-${perms.length}`,
          jurisdictionCode: code,
          permissions: perms,
          expiresAt: `${new Date().getFullYear() + 1}-12-31`,
          ipAllowlist: ['127.0.0.1'],
        });
        expect(res.statusCode, res.body).toBe(201);
        const taken = await biz.post(`/service-accounts/${res.json().account.id}/token`, {});
        expect(taken.statusCode, taken.body).toBe(200);
        tokens.push({ rel, perms, token: taken.json().token });
      }
    }
    const call = (token: string, method: string, url: string, payload?: string) =>
      t.app.inject({
        method: method as 'GET',
        url,
        payload,
        headers: { authorization: `Bearer ${token}`, ...(payload !== undefined ? { 'content-type': 'text/csv' } : {}) },
      });
    const problems: string[] = [];
    let calls = 0;
    // A token on any other route: 401, whatever it is.
    const any = tokens[0].token;
    for (const r of t.app.apiRoutes.filter((x) => !exchange.includes(x) && x.access !== 'public')) {
      const url = r.url.replace(/:(\w+)/g, '1');
      const res = await call(any, r.method, url);
      calls++;
      if (res.statusCode !== 401) problems.push(`token → ${r.method} ${url}: ${res.statusCode}, expected 401`);
    }
    const body = `统一社会信用代码,名称,主体类型,所属县区代码\r\n${A_USCC},越权改名,个体工商户,${A_COUNTY}\r\n`;
    // The sibling first, against a snapshot of A's data; then A's county, station and city.
    tokens.sort((a, b) => Number(b.rel === 'sibling') - Number(a.rel === 'sibling'));
    const before = await snapshot();
    let compared = false;
    for (const { rel, perms, token } of tokens) {
      if (rel !== 'sibling' && !compared) {
        expect(await snapshot(), 'a sibling service account changed A').toBe(before);
        compared = true;
      }
      for (const r of exchange) {
        const urls = r.url.includes(':id')
          ? ids['/api/v1/exchange/imports'].map((id) => r.url.replace(':id', String(id)))
          : r.url.includes(':kind')
            ? [r.url.replace(':kind', 'registry') + `?batch=S-${rel}&node=${A_COUNTY}`]
            : r.url.endsWith('/figures')
              ? [r.url, `${r.url}?under=${A_COUNTY}`]
              : [r.url];
        for (const url of urls) {
          const res = await call(token, r.method, url, r.method === 'POST' ? body : undefined);
          await t.app.imports.idle();
          calls++;
          const where = `${rel}[${perms.join(',')}] → ${r.method} ${url} (${res.statusCode})`;
          const needed = r.access === 'service' ? null : r.access;
          if (res.statusCode >= 500) problems.push(`${where}: server error`);
          if (needed && !perms.includes(needed) && res.statusCode !== 403)
            problems.push(`${where}: lacks ${needed} but not 403`);
          if (res.statusCode >= 400 && !String(res.headers['content-type']).includes('problem+json'))
            problems.push(`${where}: refusal is not problem+json`);
          if (rel === 'sibling') {
            if (r.method !== 'GET' && res.statusCode < 300) problems.push(`${where}: a sibling delivered into A`);
            for (const mark of [MARK, A_STATION, A_USCC])
              if (res.body.includes(mark)) problems.push(`${where}: a sibling saw ${mark}`);
          }
          if (
            r.url.endsWith('/exchange/changes') &&
            perms.includes('changes.read') &&
            (rel === 'same' || rel === 'parent') &&
            !res.body.includes(A_USCC)
          )
            problems.push(`${where}: A's own changes not served`);
          for (const full of ['11010519491231002X', '13912345678'])
            if (res.body.includes(full)) problems.push(`${where}: personal data in full`);
          // Only the account that delivered a batch reads its job.
          if (r.url.includes(':id') && res.statusCode < 300)
            problems.push(`${where}: another account read A's exchange job`);
        }
      }
    }
    console.log(
      `服务账号矩阵（${backend}）：${exchange.length} 条对接路由 × ${tokens.length} 个令牌，另每条其他路由一次，共 ${calls} 次请求，${problems.length} 个问题`,
    );
    expect(problems).toEqual([]);
  }, 300_000);

  it('still serves B its own data (the refusals above are scope, not a broken route)', async () => {
    const c = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: B_COUNTY }));
    const list = await c.get('/stations');
    expect(list.json().items.map((s: { code: string }) => s.code)).toEqual([B_STATION]);
    expect((await c.get(`/jurisdictions/${B_COUNTY}/children`)).json()).toHaveLength(1);
    expect((await c.get(`/jurisdictions/${A_COUNTY}`)).statusCode).toBe(404);
  });

  it('lets the level above see the subtree: the city editor sees both counties', async () => {
    const c = await t.signIn(await t.user({ roles: ['viewer'], jurisdiction: '320100' }));
    const codes = (await c.get('/stations?pageSize=200')).json().items.map((s: { code: string }) => s.code);
    expect(codes).toEqual(expect.arrayContaining([A_STATION, B_STATION]));
  });

  it('applies the scope inside the database: a query in scope of B cannot read A even without a filter', async () => {
    const { runScoped } = await import('../../src/db/scoped.js');
    const rows = await runScoped(t.db, { userId: null, username: 'probe', scopeKey: B_COUNTY, ip: null }, ({ db }) =>
      db.selectFrom('bureau_unit').select('name').execute(),
    );
    expect(rows.map((r) => r.name).join()).not.toContain(MARK);
    await expect(
      runScoped(t.db, { userId: null, username: 'probe', scopeKey: B_COUNTY, ip: null }, ({ db }) =>
        db
          .insertInto('bureau_unit')
          .values({ kind: 'guidance_post', jurisdiction_code: A_STATION, scope_key: A_STATION, name: 'x' })
          .execute(),
      ),
    ).rejects.toThrow(/row-level security/);
  });
});
