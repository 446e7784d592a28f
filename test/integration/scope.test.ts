import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { hashToken } from '../../src/features/auth/sessions.js';
import { csvFile, importFile, tmpDir } from '../helpers/imports.js';

/**
 * The cross-jurisdiction suite. Jurisdiction A (玄武区) holds data; users of every role in
 * jurisdiction B (秦淮区) call every data route the server registers, aimed at A's objects.
 * Each call must be refused (403/404, or 400 for a filter the route does not take) or, for a
 * list, answer without any of A's data. A route this suite has no sample for fails it, so a
 * route added later is covered as soon as it exists.
 */
const A_COUNTY = '320102';
const A_STATION = '320102901';
const B_COUNTY = '320104';
const B_STATION = '320104901';
const MARK = '甲标记';
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
  'PATCH /api/v1/entities/:id': { status: 'revoked' },
  'POST /api/v1/zones': { kind: 'market', name: '越权市场', countyCode: A_COUNTY },
  'PATCH /api/v1/zones/:id': { name: '越权改名' },
  'POST /api/v1/imports/:kind': {},
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
  'POST /api/v1/guidance-records': { instructorId: 1, entityId: 1, onDate: '2026-01-01', kind: 'visit', content: '越权登记的指导' },
  'PATCH /api/v1/guidance-records/:id': { followUpDone: true },
  'POST /api/v1/sanliang': { kind: 'member_operator', memberId: 1, entityId: 1, duties: '越权职责', commitment: '越权承诺', shownOn: '2026-01-01' },
  'PATCH /api/v1/sanliang/:id': { duties: '越权修改职责' },
  'POST /api/v1/plaques/:id/revoke': { reason: '越权撤销' },
  'POST /api/v1/plaques/:id/reissue': { reason: '越权补发' },
  'POST /api/v1/plaque-feedback/:id/handle': { note: '越权处理' },
  'POST /api/v1/points': { kind: 'contact', level: 'county', subjectType: 'entity', subjectId: 1, designatedOn: '2025-01-01', responsibleName: '越权局长' },
  'PATCH /api/v1/points/:id': { evidence: '越权修改' },
  'POST /api/v1/points/:id/reviews': { year: 2025, outcome: 'revoke', reason: '越权撤销' },
  'POST /api/v1/honours': { kind: 'honest_enterprise', entityId: 1 },
  'POST /api/v1/honours/:id/actions': { action: 'reject', reason: '越权不通过' },
  'POST /api/v1/entities/:id/violations': { occurredOn: '2025-01-01', description: '越权记录违法' },
  'POST /api/v1/campaigns': { name: '越权活动', theme: 'other', startsOn: '2025-01-01', endsOn: '2025-12-31', jurisdictionCode: A_COUNTY },
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
  'POST /api/v1/new-employment/committees': { name: '越权行业党委', jurisdictionCode: A_COUNTY, foundedOn: '2024-01-01' },
  'POST /api/v1/new-employment/mobile-branches': { name: '越权流动党员党支部', placeCode: A_STATION, approvedByOrgId: 1, approvedOn: '2024-01-01', foundedOn: '2024-02-01' },
  'POST /api/v1/new-employment/orgs/:id/units': { deliveryStationId: 1 },
  'POST /api/v1/new-employment/cards': { memberId: 1, orgId: 1, cardNo: '越权', issuedBy: '越权支部', issuedOn: '2025-01-01', expiresOn: '2027-01-01' },
  'PATCH /api/v1/new-employment/cards/:id': { returnedOn: '2026-01-01' },
  'POST /api/v1/assistance/programs': { name: '越权帮扶', businessLine: 'quality', startsOn: '2026-01-01', endsOn: '2026-12-31', jurisdictionCode: A_COUNTY },
  'PATCH /api/v1/assistance/programs/:id': { name: '越权改名' },
  'POST /api/v1/assistance/programs/:id/entities': { entityId: 1 },
  'PATCH /api/v1/assistance/programs/:id/entities/:key': { outcome: 'ongoing' },
  'PUT /api/v1/settings/cases': { acceptDays: 3 },
  'POST /api/v1/appeals/:id/actions': { action: 'accept' },
  'POST /api/v1/service-posts': { name: '越权驿站', jurisdictionCode: A_STATION, address: '越权路 1 号', openingHours: '全天' },
  'PATCH /api/v1/service-posts/:id': { active: false },
  'POST /api/v1/visit-plans': { title: '越权计划', visitorName: '越权人', startsOn: '2026-01-01', endsOn: '2026-01-31', entityIds: [1] },
  'POST /api/v1/visits': { entityId: 1, visitedOn: '2026-01-01', visitorName: '越权人', learned: '越权走访', problems: [{ line: 'quality', content: '越权提出的问题' }] },
  'POST /api/v1/reports': { form: 'xgz_core', period: '2026-Q1' },
  'PATCH /api/v1/reports/:id': { note: '越权说明' },
  'POST /api/v1/reports/:id/submit': { acknowledgement: '越权上报' },
  'POST /api/v1/reports/:id/return': { reason: '越权退回' },
  'PUT /api/v1/assessments/:code': { year: 2026, items: [{ kind: 'manual', label: '越权考核项', weight: 10 }] },
};
/** Routes that act on the caller's own subtree and name nothing of another's: they may succeed. */
const OWN_SCOPE = new Set(['POST /api/v1/discovery/runs', 'POST /api/v1/org-proposals/generate', 'POST /api/v1/orgs/from-reports', 'POST /api/v1/trainings', 'POST /api/v1/dashboard/snapshots', 'POST /api/v1/reports']);
/** POST routes that take no body. */
const NO_BODY = /reset-password|unlock|reset-totp|reveal|cancel|rerun|discovery\/runs$|generate$|from-reports$|sanliang\/:id\/plaques$|dashboard\/snapshots$/;

describe.each(BACKENDS)('jurisdiction scope on %s', (backend) => {
  let t: TestApp;
  const ids: Record<string, (string | number)[]> = {};
  const roleIds: number[] = [];
  const subIds: Record<string, number[]> = {};
  let snapshotBefore: string;

  const snapshot = async () =>
    JSON.stringify([
      await t.db.selectFrom('jurisdiction').selectAll().where('code', 'like', `${A_COUNTY}%`).orderBy('code').execute(),
      await t.db.selectFrom('bureau_unit').selectAll().where('scope_key', 'like', `${A_COUNTY}%`).orderBy('id').execute(),
      await t.db.selectFrom('app_user').select(['id', 'username', 'display_name', 'roles', 'disabled', 'password_hash', 'locked_until', 'totp_enabled']).where('scope_key', 'like', `${A_COUNTY}%`).orderBy('id').execute(),
      await t.db.selectFrom('user_session').select('id_hash').where('scope_key', 'like', `${A_COUNTY}%`).orderBy('id_hash').execute(),
      await t.db.selectFrom('setting').selectAll().execute(),
      await t.db.selectFrom('entity').selectAll().orderBy('id').execute(),
      await t.db.selectFrom('zone').selectAll().orderBy('id').execute(),
      await t.db.selectFrom('import_job').select(['id', 'status', 'cancel_requested']).orderBy('id').execute(),
      await t.db.selectFrom('entity_person').selectAll().orderBy('id').execute(),
      await t.db.selectFrom('discovery_case').select(['id', 'state', 'evidence_hash']).where('scope_key', 'like', `${A_COUNTY}%`).orderBy('id').execute(),
      await t.db.selectFrom('member').select(['id', 'confidence', 'org_relation']).where('scope_key', 'like', `${A_COUNTY}%`).orderBy('id').execute(),
      await t.db.selectFrom('party_org').selectAll().orderBy('id').execute(),
      await t.db.selectFrom('party_org_entity').selectAll().orderBy('entity_id').execute(),
      await t.db.selectFrom('party_org_member').selectAll().orderBy('id').execute(),
      await t.db.selectFrom('party_org_officer').selectAll().orderBy('id').execute(),
      await t.db.selectFrom('org_proposal').selectAll().where('scope_key', 'like', `${A_COUNTY}%`).orderBy('id').execute(),
      await t.db.selectFrom('org_proposal_entity').selectAll().where('scope_key', 'like', `${A_COUNTY}%`).orderBy('entity_id').execute(),
      await t.db.selectFrom('instructor').selectAll().orderBy('id').execute(),
      await t.db.selectFrom('instructor_assignment').selectAll().orderBy('id').execute(),
      await t.db.selectFrom('guidance_record').selectAll().orderBy('id').execute(),
      await t.db.selectFrom('sanliang').selectAll().orderBy('id').execute(),
      await t.db.selectFrom('sanliang_plaque').selectAll().orderBy('id').execute(),
      await t.db.selectFrom('plaque_feedback').selectAll().orderBy('id').execute(),
      ...(await Promise.all((['recognition_point', 'point_review', 'honour', 'entity_violation', 'campaign', 'campaign_activity', 'training_class', 'training_trainee'] as const)
        .map((tbl) => t.db.selectFrom(tbl).selectAll().where('scope_key', 'like', `${A_COUNTY}%`).orderBy('id').execute()))),
      await t.db.selectFrom('campaign_org').selectAll().orderBy('org_id').execute(),
      ...(await Promise.all((['platform', 'platform_partner', 'delivery_station', 'rider_count', 'rider_person', 'party_org_unit', 'mobile_card', 'assistance_program', 'assistance_entity'] as const)
        .map((tbl) => t.db.selectFrom(tbl).selectAll().where('scope_key', 'like', `${A_COUNTY}%`).orderBy('id').execute()))),
      ...(await Promise.all((['appeal_case', 'appeal_event', 'service_post', 'visit_plan', 'visit_record'] as const)
        .map((tbl) => t.db.selectFrom(tbl).selectAll().orderBy('id').execute()))),
      await t.db.selectFrom('report').selectAll().where('scope_key', 'like', `${A_COUNTY}%`).orderBy('id').execute(),
      await t.db.selectFrom('report_version').select(['report_id', 'version']).orderBy('report_id').execute(),
      await t.db.selectFrom('assessment_item').selectAll().orderBy('id').execute(),
    ]);

  beforeAll(async () => {
    t = await testApp(backend);
    // A's data, made by A's own editor through the API.
    const aEditor = await t.user({ roles: ['editor'], jurisdiction: A_COUNTY, username: 'a_editor_甲标记' });
    const a = await t.signIn(aEditor);
    expect((await a.post('/stations', { countyCode: A_COUNTY, suffix: '901', name: `${MARK}所` })).statusCode).toBe(201);
    const unit = await a.post('/units', { kind: 'xgz_committee', jurisdictionCode: A_COUNTY, name: `${MARK}党委` });
    const post = await a.post('/units', { kind: 'guidance_post', jurisdictionCode: A_STATION, name: `${MARK}指导站` });
    const aStaff = await t.user({ roles: ['station_staff'], jurisdiction: A_STATION, username: 'a_staff_甲标记' });
    const staff = await t.signIn(aStaff);
    ids['/api/v1/units'] = [unit.json().id, post.json().id];
    ids['/api/v1/accounts'] = [aEditor.id, aStaff.id];
    ids['/api/v1/sessions'] = [hashToken(decodeURIComponent(staff.cookie.split('=')[1]))];
    // A's ledger: an entity with a legal representative in a zone, and the import that brought it.
    const dir = tmpDir();
    const file = csvFile(dir, 'a.csv', [{ 统一社会信用代码: A_USCC, 名称: `${MARK}小吃店`, 主体类型: '个体工商户', 所属县区代码: A_COUNTY, 基层所代码: A_STATION, 所在区域名称: `${MARK}市场`, 区域类型: '专业市场', '法定代表人/经营者': '甲某', '法定代表人/经营者身份证号': '11010519491231002X', '法定代表人/经营者手机': '13912345678' }]);
    const { job } = await importFile(t, 'registry', file, { id: aEditor.id, scopeKey: A_COUNTY });
    expect(job.rows_accepted).toBe(1);
    const entity = await t.db.selectFrom('entity').select('id').where('uscc', '=', A_USCC).executeTakeFirstOrThrow();
    ids['/api/v1/entities'] = [entity.id];
    ids['/api/v1/zones'] = [(await t.db.selectFrom('zone').select('id').executeTakeFirstOrThrow()).id];
    ids['/api/v1/imports'] = [job.id];
    roleIds.push((await t.db.selectFrom('entity_person').select('id').where('entity_id', '=', entity.id).executeTakeFirstOrThrow()).id);
    // A's roster member (the legal representative) and the cases discovery raises for A.
    await importFile(t, 'roster', csvFile(dir, 'm.csv', [{ 姓名: '甲某', 公民身份号码: '11010519491231002X', 党员类别: '正式党员', 组织关系所在党组织: '别处党支部' }]), { id: aEditor.id, scopeKey: A_COUNTY });
    const run = await a.post('/discovery/runs');
    await Promise.all(t.app.discoveryRuns);
    ids['/api/v1/discovery/runs'] = [run.json().id];
    ids['/api/v1/cases'] = (await t.db.selectFrom('discovery_case').select('id').execute()).map((c) => c.id);
    ids['/api/v1/members'] = (await t.db.selectFrom('member').select('id').execute()).map((m) => m.id);
    expect(ids['/api/v1/cases'].length).toBeGreaterThan(0);
    // A's organization (with a covered entity, a registered member and a secretary) and A's proposals.
    const org = await a.post('/orgs', { name: `${MARK}党支部`, kind: 'branch', setupMode: 'standalone', placeCode: A_STATION, entityIds: [entity.id] });
    expect(org.statusCode).toBe(201);
    const memberRow = await a.post(`/orgs/${org.json().id}/members`, { memberId: ids['/api/v1/members'][0] });
    const person = (await t.db.selectFrom('member').select('person_id').where('id', '=', Number(ids['/api/v1/members'][0])).executeTakeFirstOrThrow()).person_id;
    const officer = await a.post(`/orgs/${org.json().id}/officers`, { personId: person, role: 'secretary', termStart: '2025-01-01' });
    expect([memberRow.statusCode, officer.statusCode]).toEqual([201, 201]);
    ids['/api/v1/orgs'] = [org.json().id];
    subIds.key = [entity.id, memberRow.json().id, officer.json().id];
    // A's 三亮 record with a plaque, and a problem the public reported about it.
    const sl = await a.post('/sanliang', { kind: 'member_operator', memberId: ids['/api/v1/members'][0], entityId: entity.id, duties: `${MARK}职责`, commitment: `${MARK}承诺`, shownOn: '2026-01-01' });
    const plaque = await a.post(`/sanliang/${sl.json().id}/plaques`);
    const fb = await t.app.inject({ method: 'POST', url: `/api/v1/public/plaques/${plaque.json().number}/feedback`, payload: { category: 'other', content: `${MARK}反映内容` } });
    expect([sl.statusCode, plaque.statusCode, fb.statusCode]).toEqual([201, 201, 201]);
    ids['/api/v1/sanliang'] = [sl.json().id];
    ids['/api/v1/plaques'] = [plaque.json().id];
    ids['/api/v1/plaque-feedback'] = (await t.db.selectFrom('plaque_feedback').select('id').execute()).map((f) => f.id);
    await t.db.deleteFrom('party_org_entity').execute(); // leaves the entity to be proposed
    expect((await a.post('/org-proposals/generate')).statusCode).toBe(200);
    ids['/api/v1/org-proposals'] = (await t.db.selectFrom('org_proposal').select('id').execute()).map((p) => p.id);
    expect(ids['/api/v1/org-proposals'].length).toBeGreaterThan(0);
    // A's instructor, assigned to the entity, with a guidance record.
    const instructor = await a.post('/instructors', { name: `${MARK}指导员`, source: 'station', placeCode: A_STATION, phone: '13912345678' });
    expect((await a.post(`/instructors/${instructor.json().id}/assignments`, { target: 'entity', targetId: entity.id })).statusCode).toBe(201);
    const guidance = await a.post('/guidance-records', { instructorId: instructor.json().id, entityId: entity.id, onDate: '2026-01-05', kind: 'visit', content: `${MARK}走访`, followUp: '跟进' });
    ids['/api/v1/instructors'] = [instructor.json().id];
    ids['/api/v1/guidance-records'] = [guidance.json().id];
    // A's recognition ledger: a point, an honour, a serious violation, a campaign with the organization and an activity, a class with the secretary.
    const point = await a.post('/points', { kind: 'contact', level: 'county', subjectType: 'entity', subjectId: entity.id, designatedOn: '2025-01-01', responsibleName: `${MARK}局长` });
    const honour = await a.post('/honours', { kind: 'honest_enterprise', entityId: entity.id });
    const violation = await a.post(`/entities/${entity.id}/violations`, { occurredOn: '2025-06-01', description: `${MARK}违法记录` });
    const campaign = await a.post('/campaigns', { name: `${MARK}主题教育`, theme: 'theme_education', startsOn: '2025-01-01', endsOn: '2025-12-31' });
    const joined = await a.post(`/campaigns/${campaign.json().id}/orgs`, { orgId: org.json().id });
    const activity = await a.post(`/campaigns/${campaign.json().id}/activities`, { heldOn: '2025-03-01', title: `${MARK}党课`, participants: 5, orgId: org.json().id });
    const cls = await a.post('/trainings', { name: `${MARK}培训班`, level: 'county', startsOn: '2025-03-01', endsOn: '2025-03-02' });
    const trainee = await a.post(`/trainings/${cls.json().id}/trainees`, { officerIds: [officer.json().id] });
    expect([point, honour, violation, campaign, activity, cls].map((x) => x.statusCode)).toEqual([201, 201, 201, 201, 201, 201]);
    expect([joined.statusCode, trainee.statusCode]).toEqual([204, 200]);
    ids['/api/v1/points'] = [point.json().id];
    ids['/api/v1/honours'] = [honour.json().id];
    ids['/api/v1/campaigns'] = [campaign.json().id];
    ids['/api/v1/trainings'] = [cls.json().id];
    // A's new employment ledger: a platform with a partner firm and a station (riders counted, a member rider), a rider committee, a mobile
    // branch it approved serving the station, a card registered there; and an assistance program with the entity.
    const platform = await a.post('/new-employment/platforms', { name: `${MARK}平台`, business: 'food_delivery' });
    const partner = await a.post(`/new-employment/platforms/${platform.json().id}/partners`, { name: `${MARK}合作商`, placeCode: A_STATION });
    const dStation = await a.post('/new-employment/stations', { platformId: platform.json().id, partnerId: partner.json().id, name: `${MARK}配送站`, placeCode: A_STATION });
    const riders = await a.post(`/new-employment/stations/${dStation.json().id}/rider-counts`, { asOf: '2026-01-01', riders: 12 });
    const rider = await a.post(`/new-employment/stations/${dStation.json().id}/riders`, { role: 'member', memberId: ids['/api/v1/members'][0] });
    const committee = await a.post('/new-employment/committees', { name: `${MARK}行业党委`, foundedOn: '2024-01-01' });
    const mobile = await a.post('/new-employment/mobile-branches', { name: `${MARK}流动党员党支部`, placeCode: A_STATION, approvedByOrgId: committee.json().id, approvedOn: '2024-02-01', foundedOn: '2024-03-01', deliveryStationIds: [dStation.json().id] });
    const card = await a.post('/new-employment/cards', { memberId: ids['/api/v1/members'][0], orgId: mobile.json().id, cardNo: 'A-001', issuedBy: `${MARK}家乡支部`, issuedOn: '2025-01-01', expiresOn: '2027-01-01' });
    const program = await a.post('/assistance/programs', { name: `${MARK}帮扶`, businessLine: 'quality', startsOn: '2026-01-01', endsOn: '2026-12-31' });
    const helped = await a.post(`/assistance/programs/${program.json().id}/entities`, { entityId: entity.id, problem: `${MARK}问题` });
    expect([platform, partner, dStation, riders, rider, committee, mobile, card, program, helped].map((x) => x.statusCode)).toEqual(Array(10).fill(201));
    ids['/api/v1/new-employment/platforms'] = [platform.json().id];
    ids['/api/v1/new-employment/stations'] = [dStation.json().id];
    ids['/api/v1/new-employment/orgs'] = [committee.json().id, mobile.json().id];
    ids['/api/v1/new-employment/cards'] = [card.json().id];
    ids['/api/v1/assistance/programs'] = [program.json().id];
    // A's cases: a rider's appeal at A's station (with a phone), a service post, a visit whose problem went to A's county line.
    const sp = await a.post('/service-posts', { name: `${MARK}驿站`, jurisdictionCode: A_STATION, address: `${MARK}路`, openingHours: '全天', offers: ['water'] });
    const appeal = await t.app.inject({ method: 'POST', url: '/api/v1/public/appeals', payload: { category: 'parking', content: `${MARK}诉求内容`, phone: '13912345678', servicePostId: sp.json().id } });
    const plan = await staff.post('/visit-plans', { title: `${MARK}走访计划`, visitorName: '甲走访人', startsOn: '2026-01-01', endsOn: '2026-01-31', entityIds: [entity.id] });
    const visit = await staff.post('/visits', { planId: plan.json().id, entityId: entity.id, visitedOn: '2026-01-05', visitorName: '甲走访人', learned: `${MARK}了解情况`, problems: [{ line: 'quality', content: `${MARK}质量问题` }] });
    expect([sp, appeal, plan, visit].map((x) => x.statusCode)).toEqual([201, 201, 201, 201]);
    ids['/api/v1/service-posts'] = [sp.json().id];
    ids['/api/v1/appeals'] = (await t.db.selectFrom('appeal_case').select('id').execute()).map((c) => c.id);
    ids['/api/v1/visits'] = [visit.json().id];
    expect(ids['/api/v1/appeals'].length).toBe(3); // the plaque report, the rider's appeal, the visit problem
    // A's statistical report, submitted (version 1).
    const report = await a.post('/reports', { form: 'xgz_core', period: '2026-Q1' });
    expect(report.statusCode).toBe(201);
    expect((await a.post(`/reports/${report.json().id}/submit`, {})).statusCode).toBe(201);
    ids['/api/v1/reports'] = [report.json().id];
    subIds.version = [1];
    // A's yearly assessment of its station.
    expect((await a.put(`/assessments/${A_STATION}`, { year: 2026, items: [{ kind: 'manual', label: `${MARK}考核项`, weight: 10, manualScore: 8, evidence: `${MARK}依据` }] })).statusCode).toBe(204);
    // B's own data, so the positive control below has something to find.
    const bEditor = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: B_COUNTY }));
    expect((await bEditor.post('/stations', { countyCode: B_COUNTY, suffix: '901', name: '乙所' })).statusCode).toBe(201);
    snapshotBefore = await snapshot();
  });
  afterAll(() => t?.close());

  it('refuses every data route to every role of another jurisdiction, and leaves the data as it was', async () => {
    const outsiders = [
      ...(['editor', 'viewer', 'instructor'] as const).map((r) => ({ roles: [r], jurisdiction: B_COUNTY })),
      { roles: ['station_staff'], jurisdiction: B_STATION },
      ...(['sysadmin', 'secadmin', 'auditor'] as const).map((r) => ({ roles: [r], jurisdiction: B_COUNTY })),
    ];
    const dataRoutes = t.app.apiRoutes.filter((r) => !['public', 'signing-in'].includes(r.access));
    expect(dataRoutes.length).toBeGreaterThan(15);
    let calls = 0;
    for (const o of outsiders) {
      const c = await t.signIn(await t.user(o));
      for (const route of dataRoutes) {
        const key = `${route.method} ${route.url}`;
        const params = [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1]);
        const base = Object.keys(ids).find((p) => route.url.startsWith(p)) ?? '';
        const values = (p: string): (string | number)[] | undefined =>
          ({ code: [A_COUNTY, A_STATION], id: ids[base], kind: ['registry', 'annual_report'], roleId: roleIds, ...subIds })[p];
        for (const p of params) expect(values(p), `no sample value for :${p} in ${key}`).toBeTruthy();
        const fill = (v: string | number) => params.slice(1).reduce((u, p) => u.replace(`:${p}`, String(values(p)![0])), route.url.replace(`:${params[0]}`, String(v)));
        const urls = params.length === 0 ? [route.url, ...(route.method === 'GET' ? [`${route.url}?under=${A_COUNTY}`] : [])] : values(params[0])!.map(fill);
        const needsBody = ['POST', 'PUT', 'PATCH'].includes(route.method) && !NO_BODY.test(route.url);
        if (needsBody) expect(BODIES[key], `no sample body for ${key}`).toBeDefined();
        for (const url of urls) {
          const res = await c.call(route.method as 'GET', url.replace('/api/v1', ''), needsBody ? BODIES[key] : route.method === 'GET' || route.method === 'DELETE' ? undefined : {});
          calls++;
          const where = `${o.roles[0]} → ${route.method} ${url} (${res.statusCode})`;
          expect(res.statusCode, where).not.toBeGreaterThanOrEqual(500);
          if (res.statusCode < 300 && !OWN_SCOPE.has(key)) expect(route.method, `${where} succeeded`).toBe('GET');
          expect(res.body, where).not.toContain(MARK);
          expect(res.body, where).not.toContain(A_STATION);
          expect(res.body, where).not.toContain('a_editor');
          expect(res.body, where).not.toContain(A_USCC);
        }
      }
    }
    expect(calls).toBeGreaterThan(100);
    await Promise.all(t.app.discoveryRuns);
    expect(await snapshot()).toBe(snapshotBefore);
  });

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
    const rows = await runScoped(t.db, { userId: null, username: 'probe', scopeKey: B_COUNTY, ip: null }, ({ db }) => db.selectFrom('bureau_unit').select('name').execute());
    expect(rows.map((r) => r.name).join()).not.toContain(MARK);
    await expect(
      runScoped(t.db, { userId: null, username: 'probe', scopeKey: B_COUNTY, ip: null }, ({ db }) => db.insertInto('bureau_unit').values({ kind: 'guidance_post', jurisdiction_code: A_STATION, scope_key: A_STATION, name: 'x' }).execute()),
    ).rejects.toThrow(/row-level security/);
  });
});
