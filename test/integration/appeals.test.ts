import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { BACKENDS } from '../helpers/db.js';
import { nextIp, testApp, type TestApp } from '../helpers/app.js';
import { ledger } from '../helpers/ledger.js';
import { runEscalation } from '../../src/features/appeals/engine.js';
import { verifyAuditChain } from '../../src/db/audit-chain.js';
import { DEFAULT_DEADLINES } from '../../src/domain/cases/engine.js';
import { bucketBounds, maxError } from '../../src/domain/cases/step-times.js';

type Client = Awaited<ReturnType<TestApp['signIn']>>;

const COUNTY = '320102';
const S1 = '320102001';
const S2 = '320102002';
const PHONE = '13912345678';
const day = 86_400_000;

describe.each(BACKENDS)('the case engine and its doors on %s', (backend) => {
  let t: TestApp;
  let editor: Client;
  let staff1: Client;
  let staff2: Client;
  let entityId: number;
  let postId: number;

  const submit = (body: unknown, ip = nextIp()) =>
    t.app.inject({ method: 'POST', url: '/api/v1/public/appeals', payload: body as object, remoteAddress: ip });
  const progress = (code: string) =>
    t.app.inject({ method: 'GET', url: `/api/v1/public/appeals/${encodeURIComponent(code)}`, remoteAddress: nextIp() });
  const feedback = (code: string, body: unknown) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/public/appeals/${encodeURIComponent(code)}/feedback`,
      payload: body as object,
      remoteAddress: nextIp(),
    });
  const raise = async (body: Record<string, unknown> = {}) => {
    const res = await submit({
      category: 'parking',
      content: '小区不让电动车进门，送餐只能步行很远',
      areaCode: S1,
      ...body,
    });
    expect(res.statusCode, res.body).toBe(201);
    const code = res.json().code as string;
    const id = Number(
      (await t.db.selectFrom('appeal_case').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow()).id,
    );
    return { code, id };
  };
  const act = (c: Client, id: number, body: Record<string, unknown>) => c.post(`/appeals/${id}/actions`, body);

  beforeAll(async () => {
    t = await testApp(backend);
    const l = ledger(t.db);
    await l.station(S1, '东所');
    await l.station(S2, '西所');
    entityId = await l.entity({ place: S1, name: '走访小吃店', kind: 'individual' });
    editor = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: COUNTY }));
    staff1 = await t.signIn(await t.user({ roles: ['station_staff'], jurisdiction: S1 }));
    staff2 = await t.signIn(await t.user({ roles: ['station_staff'], jurisdiction: S2 }));
    const post = await staff1.post('/service-posts', {
      name: '东所骑手驿站',
      jurisdictionCode: S1,
      address: '中山路 1 号',
      openingHours: '08:00-22:00',
      offers: ['charging', 'water', 'rest'],
    });
    expect(post.statusCode, post.body).toBe(201);
    postId = post.json().id;
  });
  afterAll(() => t?.close());

  it('refuses bad input in Chinese, naming the field', async () => {
    const res = await submit({ category: 'nonsense', content: '短', phone: '123' });
    expect(res.statusCode).toBe(400);
    const fields = res.json().errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['category', 'content', 'phone']));
    expect(res.json().errors.find((e: { field: string }) => e.field === 'content').message).toBe(
      '请具体说明遇到的问题（至少 5 个字）',
    );
    const noPlace = await submit({ category: 'other', content: '充电桩太少了，排队很久' });
    expect(noPlace.json().errors).toEqual([{ field: 'areaCode', message: '请选择所在区域或驿站' }]);
    const tooLong = await submit({ category: 'other', content: '长'.repeat(1001), areaCode: S1 });
    expect(tooLong.json().errors).toEqual([{ field: 'content', message: '诉求内容不超过 1000 字' }]);
    expect(
      (await submit({ category: 'other', content: '城市不是县区也不是所', areaCode: '320100' })).json().errors[0].field,
    ).toBe('areaCode');
  });

  it('lists active service posts for the public page', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/public/service-posts?area=${COUNTY}`,
      remoteAddress: nextIp(),
    });
    expect(res.json()).toEqual([
      expect.objectContaining({
        id: postId,
        name: '东所骑手驿站',
        openingHours: '08:00-22:00',
        offers: ['charging', 'water', 'rest'],
        areaName: '东所',
      }),
    ]);
  });

  it('takes an anonymous appeal: code → progress → station handles → resolved → feedback', async () => {
    const { code, id } = await raise({ phone: PHONE });
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    // The code is kept only as its hash; the phone only encrypted.
    const row = await t.db.selectFrom('appeal_case').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(code);
    expect(JSON.stringify(row)).not.toContain(PHONE);
    expect(row).toMatchObject({ state: 'routed', unit_kind: 'station', unit_code: S1, scope_key: S1 });

    const p1 = (await progress(code.toLowerCase().replace(/(.{4})/g, '$1-'))).json();
    expect(p1).toMatchObject({
      state: 'routed',
      stateLabel: '已转办',
      unitName: '东所',
      reply: null,
      canFeedback: false,
    });
    expect(p1.steps.map((s: { action: string }) => s.action)).toEqual(['intake', 'route']);

    // The station sees it (phone masked), the other station does not.
    const list = (await staff1.get('/appeals?door=rider&state=routed')).json();
    expect(list.items.map((c: { id: number }) => c.id)).toContain(id);
    expect((await staff2.get('/appeals')).json().items.map((c: { id: number }) => c.id)).not.toContain(id);
    expect((await staff2.get(`/appeals/${id}`)).statusCode).toBe(404);
    expect((await act(staff2, id, { action: 'accept' })).statusCode).toBe(404);
    const detail = (await staff1.get(`/appeals/${id}`)).json();
    expect(detail).toMatchObject({ contact: '139****5678', actions: ['route', 'accept', 'close'], mine: true });
    // The full number only to the responsible unit, on purpose, with a trace.
    expect((await staff1.post(`/appeals/${id}/reveal`)).json()).toEqual({ phone: PHONE, content: null });
    expect((await staff2.post(`/appeals/${id}/reveal`)).statusCode).toBe(404);
    expect(
      await t.db
        .selectFrom('audit_log')
        .select('detail')
        .where('action', '=', 'personal.reveal')
        .where('object_id', '=', String(id))
        .executeTakeFirst(),
    ).toBeTruthy();

    expect((await act(staff1, id, { action: 'resolve', reply: '还没签收就办结' })).statusCode).toBe(409);
    expect((await act(staff1, id, { action: 'accept' })).json()).toEqual({ id, state: 'accepted' });
    expect((await act(staff1, id, { action: 'note', note: '已联系物业协商开辟骑手通道' })).json().state).toBe(
      'handling',
    );
    expect((await act(staff1, id, { action: 'resolve' })).json().errors).toEqual([
      { field: 'reply', message: '请填写给提出人的答复' },
    ]);
    expect(
      (await act(staff1, id, { action: 'resolve', reply: '经协调，物业已同意骑手凭工牌进入小区' })).json().state,
    ).toBe('resolved');

    const p2 = (await progress(code)).json();
    expect(p2).toMatchObject({
      state: 'resolved',
      reply: '经协调，物业已同意骑手凭工牌进入小区',
      canFeedback: true,
      canReopen: true,
    });
    expect(JSON.stringify(p2)).not.toContain('物业协商开辟'); // internal notes stay internal
    expect(p2.steps.map((s: { action: string }) => s.action)).toEqual(['intake', 'route', 'accept', 'resolve']);

    expect((await feedback(code, { action: 'feedback', satisfaction: 9 })).json().errors[0]).toEqual({
      field: 'satisfaction',
      message: '满意度为 1–5',
    });
    expect((await feedback(code, { action: 'feedback', satisfaction: 5, comment: '很及时' })).json()).toMatchObject({
      state: 'closed',
    });
    expect((await feedback(code, { action: 'feedback', satisfaction: 1 })).statusCode).toBe(409);
    const done = await t.db.selectFrom('appeal_case').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(done).toMatchObject({ state: 'closed', satisfaction: 5 });
    expect(
      (await staff1.get(`/appeals/${id}`))
        .json()
        .stepHours.map((s: { step: string; hours: number | null }) => [s.step, s.hours]),
    ).toEqual([
      ['route', 0],
      ['accept', 0],
      ['resolve', 0],
      ['feedback', 0],
    ]);
    expect(Number(done.accept_ms)).toBeGreaterThanOrEqual(0);
    expect(done.resolve_ms).not.toBeNull();
    expect(done.feedback_ms).not.toBeNull();
    const audits = await t.db
      .selectFrom('audit_log')
      .select('action')
      .where('object_id', '=', String(id))
      .where('object_type', '=', 'appeal_case')
      .execute();
    const actions = audits.map((a) => a.action);
    expect(actions.filter((a) => a !== 'scope.denied')).toEqual([
      'personal.reveal',
      'appeal.accept',
      'appeal.note',
      'appeal.resolve',
    ]);
    // The other station's three probes of it (read, accept, reveal: each a 404) left their trace.
    expect(actions.filter((a) => a === 'scope.denied')).toHaveLength(3);
  });

  it('finds nothing with a guessed or malformed code', async () => {
    const { code } = await raise();
    const guess = code.slice(0, -1) + (code.endsWith('0') ? '1' : '0');
    for (const c of [guess, '0'.repeat(26), 'abc', "' OR 1=1 --", '1']) {
      const res = await progress(c);
      expect(res.statusCode, c).toBe(404);
      expect(res.json()).toMatchObject({ detail: '没有找到这个查询码对应的诉求，请核对后重新输入' });
      expect((await feedback(c, { action: 'feedback', satisfaction: 5 })).statusCode).toBe(404);
    }
  });

  it('rate-limits submissions from one address', async () => {
    const ip = '10.9.9.9';
    const res = [];
    for (let i = 0; i < 6; i++)
      res.push(await submit({ category: 'charging', content: '充电柜坏了好几天没人修', areaCode: S1 }, ip));
    expect(res.map((r) => r.statusCode)).toEqual([201, 201, 201, 201, 201, 429]);
    expect(res[5].json()).toMatchObject({ title: '请求过于频繁', detail: '请稍后再试' });
  });

  it('routes by place and category: a service post to its station, a food clue to the county food line', async () => {
    const viaPost = await raise({ areaCode: undefined, servicePostId: postId });
    expect(
      await t.db
        .selectFrom('appeal_case')
        .select(['unit_code', 'service_post_id', 'area_code'])
        .where('id', '=', viaPost.id)
        .executeTakeFirst(),
    ).toEqual({ unit_code: S1, service_post_id: postId, area_code: S1 });
    const food = await raise({ category: 'food_clue', content: '某快餐店后厨卫生很差，疑似使用过期食材' });
    expect(
      await t.db
        .selectFrom('appeal_case')
        .select(['unit_kind', 'unit_code', 'unit_line', 'scope_key'])
        .where('id', '=', food.id)
        .executeTakeFirst(),
    ).toEqual({ unit_kind: 'bureau', unit_code: COUNTY, unit_line: 'food', scope_key: COUNTY });
    // The station does not see what it does not answer for; the county does.
    expect((await staff1.get(`/appeals/${food.id}`)).statusCode).toBe(404);
    expect((await editor.get(`/appeals/${food.id}`)).json()).toMatchObject({
      unitName: expect.stringContaining('食品'),
      mine: true,
    });
    // A station hands a case up to its county, one step: not past it to the city or province.
    const skip = await raise();
    for (const above of ['320100', '320000'])
      expect((await act(staff1, skip.id, { action: 'route', unitCode: above })).statusCode, above).toBe(404);
    // The county transfers what came up to the other station.
    const up = await raise();
    expect((await act(staff1, up.id, { action: 'route', unitCode: COUNTY, line: 'credit' })).json().state).toBe(
      'routed',
    );
    // The station that handed it up still follows it, but no longer acts on it.
    expect((await staff1.get(`/appeals/${up.id}`)).json()).toMatchObject({ mine: false, actions: [] });
    expect((await act(staff1, up.id, { action: 'route', unitCode: S2 })).statusCode).toBe(403);
    expect((await act(editor, up.id, { action: 'route', unitCode: S2 })).statusCode).toBe(200);
    expect((await staff2.get(`/appeals/${up.id}`)).json()).toMatchObject({ unitCode: S2, state: 'routed' });
    // The station it was passed to takes it on, though another station raised it.
    expect((await act(staff2, up.id, { action: 'accept' })).json().state).toBe('accepted');
  });

  it('a case raised at the county and passed down to a station is received and handled there', async () => {
    const atCounty = await raise({ areaCode: COUNTY });
    expect((await act(editor, atCounty.id, { action: 'route', unitCode: S1 })).statusCode).toBe(200);
    const accepted = await act(staff1, atCounty.id, { action: 'accept' });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json().state).toBe('accepted');
    const resolved = await act(staff1, atCounty.id, { action: 'resolve', reply: '已协调物业开放电动车通道' });
    expect(resolved.statusCode, resolved.body).toBe(200);
    // Closing one that is no case says why.
    const dup = await raise({ areaCode: COUNTY });
    const bare = await act(editor, dup.id, { action: 'close' });
    expect(bare.statusCode).toBe(400);
    expect(bare.json().errors).toEqual([{ field: 'note', message: expect.stringMatching(/关闭原因/) }]);
    expect((await act(editor, dup.id, { action: 'close', note: '与前一诉求重复' })).json().state).toBe('closed');
  });

  it("routes a rider's rights problem to the named platform's contact point, else the rider industry committee, else the station", async () => {
    const rights = { category: 'rights', content: '平台无故扣除配送费，申诉无人处理' };
    const unitOf = (id: number) =>
      t.db
        .selectFrom('appeal_case')
        .select(['unit_kind', 'unit_code', 'unit_platform_id', 'unit_org_id', 'scope_key'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
    expect(await unitOf((await raise(rights)).id)).toMatchObject({ unit_kind: 'station', scope_key: S1 });

    const l = ledger(t.db);
    const committee = await t.db
      .insertInto('party_org')
      .values({
        body: 'party',
        name: '玄武区网约配送员行业党委',
        kind: 'committee',
        setup_mode: 'industry',
        sector: 'riders',
        ...l.placeOf(COUNTY),
        status: 'established',
        founded_on: '2025-07-01',
      } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    const toCommittee = await raise(rights);
    expect(await unitOf(toCommittee.id)).toEqual({
      unit_kind: 'committee',
      unit_code: COUNTY,
      unit_platform_id: null,
      unit_org_id: committee.id,
      scope_key: COUNTY,
    });
    expect((await editor.get(`/appeals/${toCommittee.id}`)).json()).toMatchObject({
      unitName: '玄武区网约配送员行业党委',
      unitKind: 'committee',
      mine: true,
    });
    expect((await progress(toCommittee.code)).json().unitName).toBe('玄武区网约配送员行业党委');
    // Other problems stay with the station.
    expect(
      await unitOf((await raise({ category: 'parking', content: '小区不让电动车进门，送餐只能步行很远' })).id),
    ).toMatchObject({ unit_kind: 'station' });

    // A platform registered at the province, with a contact point there.
    const platform = await t.db
      .insertInto('platform')
      .values({ name: '快送外卖', business: 'food_delivery', jurisdiction_code: '320000', scope_key: '32' } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    const listed = await t.app.inject({
      method: 'GET',
      url: `/api/v1/public/platforms?area=${S1}`,
      remoteAddress: nextIp(),
    });
    expect(listed.json()).toEqual([
      { id: platform.id, name: '快送外卖', business: 'food_delivery', businessLabel: '外卖' },
    ]);
    // Named, but no contact point yet: the committee.
    expect(await unitOf((await raise({ ...rights, platformId: platform.id })).id)).toMatchObject({
      unit_kind: 'committee',
    });
    await t.db
      .insertInto('recognition_point')
      .values({
        kind: 'contact',
        level: 'province',
        subject_type: 'platform',
        platform_id: platform.id,
        subject_name: '快送外卖',
        designated_on: '2026-01-01',
        responsible_name: '负责人',
        scope_key: '32',
      } as never)
      .execute();
    const toPlatform = await raise({ ...rights, platformId: platform.id });
    expect(await unitOf(toPlatform.id)).toEqual({
      unit_kind: 'platform',
      unit_code: '320000',
      unit_platform_id: platform.id,
      unit_org_id: null,
      scope_key: '32',
    });
    expect((await progress(toPlatform.code)).json().unitName).toMatch(/^快送外卖党建联系点（.+）$/);
    // The province's staff answer it; the station and the county do not.
    const province = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: '320000' }));
    expect((await province.get(`/appeals/${toPlatform.id}`)).json()).toMatchObject({
      unitKind: 'platform',
      mine: true,
      actions: expect.arrayContaining(['accept']),
    });
    expect((await act(province, toPlatform.id, { action: 'accept' })).statusCode).toBe(200);
    expect((await editor.get(`/appeals/${toPlatform.id}`)).statusCode).toBe(404);
    expect((await act(staff1, toPlatform.id, { action: 'accept' })).statusCode).toBe(404);
    // A platform id that does not exist is not an error for the rider: nobody covers it, so the committee answers.
    expect(await unitOf((await raise({ ...rights, platformId: 999999 })).id)).toMatchObject({ unit_kind: 'committee' });
  });

  it('escalates overdue cases to the level above, which sees them in its list', async () => {
    const { id } = await raise();
    const created = new Date(
      (await t.db.selectFrom('appeal_case').select('created_at').where('id', '=', id).executeTakeFirstOrThrow())
        .created_at,
    );
    const d = DEFAULT_DEADLINES;
    const later = new Date(created.getTime() + (d.acceptDays + 0.5) * day);
    const out = await runEscalation(t.db, d, later);
    expect(out.escalated).toBeGreaterThanOrEqual(1);
    expect(
      await t.db
        .selectFrom('appeal_case')
        .select(['escalation_level', 'escalated_key'])
        .where('id', '=', id)
        .executeTakeFirst(),
    ).toEqual({ escalation_level: 1, escalated_key: COUNTY });
    expect((await editor.get('/appeals?escalated=true')).json().items.map((c: { id: number }) => c.id)).toContain(id);
    expect((await staff1.get('/appeals?escalated=true')).json().total).toBe(0);
    expect((await staff2.get('/appeals?escalated=true')).json().total).toBe(0);
    // Run again at once: nothing moves higher until another period passes.
    await runEscalation(t.db, d, later);
    expect(
      (await t.db.selectFrom('appeal_case').select('escalation_level').where('id', '=', id).executeTakeFirstOrThrow())
        .escalation_level,
    ).toBe(1);
    await runEscalation(t.db, d, new Date(later.getTime() + d.acceptDays * day));
    expect(
      await t.db
        .selectFrom('appeal_case')
        .select(['escalation_level', 'escalated_key'])
        .where('id', '=', id)
        .executeTakeFirst(),
    ).toEqual({ escalation_level: 2, escalated_key: '3201' });
    // Accepting starts the next step: the escalation is over.
    expect((await act(staff1, id, { action: 'accept' })).statusCode).toBe(200);
    expect(
      (await t.db.selectFrom('appeal_case').select('escalation_level').where('id', '=', id).executeTakeFirstOrThrow())
        .escalation_level,
    ).toBe(0);
  });

  it('lets the person reopen within the window only; an unanswered resolution closes after it', async () => {
    const a = await raise();
    await act(staff1, a.id, { action: 'accept' });
    await act(staff1, a.id, { action: 'resolve', reply: '已协调解决停车问题' });
    expect((await feedback(a.code, { action: 'reopen', comment: '还是不让进' })).json()).toMatchObject({
      state: 'accepted',
    });
    await act(staff1, a.id, { action: 'resolve', reply: '再次协调，已设骑手临时停车点' });
    await t.db
      .updateTable('appeal_case')
      .set({ resolved_at: new Date(Date.now() - 8 * day) })
      .where('id', '=', a.id)
      .execute();
    const late = await feedback(a.code, { action: 'reopen', comment: '过了很久又出问题了' });
    expect(late.statusCode).toBe(409);
    expect(late.json().detail).toMatch(/已超过 7 天/);
    const out = await runEscalation(t.db, DEFAULT_DEADLINES, new Date());
    expect(out.closed).toBeGreaterThanOrEqual(1);
    expect((await progress(a.code)).json()).toMatchObject({ state: 'closed', canReopen: false });
    expect(
      (await t.db.selectFrom('appeal_case').select('reopen_count').where('id', '=', a.id).executeTakeFirstOrThrow())
        .reopen_count,
    ).toBe(1);
  });

  it("an appeal the person reopens after rating it closed is the unit's 待办 again at once, and the tallies follow", async () => {
    const a = await raise();
    await act(staff1, a.id, { action: 'accept' });
    await act(staff1, a.id, { action: 'resolve', reply: '已协调物业，骑手可以进门' });
    expect(
      (await feedback(a.code, { action: 'feedback', satisfaction: 2, comment: '只放行了一天' })).json(),
    ).toMatchObject({ state: 'closed' });
    const reopenedTodo = async () =>
      ((await staff1.get('/workbench')).json().items as { key: string; count: number; title: string }[]).find(
        (i) => i.key === 'appeal:reopened',
      );
    const before = (await reopenedTodo())?.count ?? 0;
    expect((await feedback(a.code, { action: 'reopen', comment: '还是不让进' })).json()).toMatchObject({
      state: 'accepted',
    });
    // Its deadline is 15 days off: not "due within 24 hours", not "new"; still the unit must know at once.
    expect(await reopenedTodo()).toMatchObject({ count: before + 1, title: `被要求重新办理的诉求 ${before + 1} 件` });
    // The figures kept by the triggers are what a rebuild from the cases gives.
    const read = async () =>
      (
        await sql`SELECT scope_key, door, category, state, escalated, n, rated, stars, satisfied FROM appeal_tally WHERE n <> 0 OR rated <> 0 ORDER BY 1, 2, 3, 4, 5`.execute(
          t.db,
        )
      ).rows;
    const kept = await read();
    await sql`SELECT xgz_appeal_tally_rebuild()`.execute(t.db);
    expect(await read()).toEqual(kept);
    // Handled again: no longer the reopened 待办.
    await act(staff1, a.id, { action: 'note', note: '再次联系物业' });
    expect((await reopenedTodo())?.count ?? 0).toBe(before);
  });

  it('moves a backlog in batches: escalations and closes of a batch written together, each case with its event, the audit chain intact', async () => {
    const open = [];
    for (let i = 0; i < 5; i++) open.push(await raise());
    const done = [];
    for (let i = 0; i < 2; i++) {
      const c = await raise();
      expect((await act(staff1, c.id, { action: 'accept' })).statusCode).toBe(200);
      expect((await act(staff1, c.id, { action: 'resolve', reply: '已协调物业，骑手可以进门' })).statusCode).toBe(200);
      done.push(c.id);
    }
    await t.db
      .updateTable('appeal_case')
      .set({ resolved_at: new Date(Date.now() - 8 * day) })
      .where('id', 'in', done)
      .execute();
    const d = DEFAULT_DEADLINES;
    const out = await runEscalation(t.db, d, new Date(Date.now() + (d.acceptDays + 0.5) * day), 2);
    expect(out.escalated).toBeGreaterThanOrEqual(open.length);
    expect(out.closed).toBeGreaterThanOrEqual(done.length);
    const rows = await t.db
      .selectFrom('appeal_case')
      .select(['id', 'state', 'escalation_level', 'escalated_key'])
      .where('id', 'in', [...open.map((c) => c.id), ...done])
      .orderBy('id')
      .execute();
    expect(rows.filter((r) => r.escalation_level === 1 && r.escalated_key === COUNTY).map((r) => r.id)).toEqual(
      open.map((c) => c.id),
    );
    expect(rows.filter((r) => r.state === 'closed').map((r) => r.id)).toEqual(done);
    const events = await t.db
      .selectFrom('appeal_event')
      .select(['case_id', 'action'])
      .where(
        'case_id',
        'in',
        rows.map((r) => r.id),
      )
      .where('action', 'in', ['escalate', 'close'])
      .execute();
    expect(events.length).toBe(rows.length);
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
  });

  it('records visits and routes their problems to the county business lines; the station follows them', async () => {
    const plan = await staff1.post('/visit-plans', {
      title: '三月走访',
      visitorName: '李四',
      startsOn: '2026-03-01',
      endsOn: '2026-03-31',
      entityIds: [entityId],
    });
    expect(plan.statusCode, plan.body).toBe(201);
    const bad = await staff1.post('/visits', {
      entityId,
      visitedOn: '2026-03-05',
      visitorName: '李四',
      learned: '经营正常',
      problems: [{ line: 'astrology', content: '不存在的条线问题' }],
    });
    expect(bad.json().errors).toEqual([{ field: 'problems.0.line', message: '业务条线不存在' }]);
    const v = await staff1.post('/visits', {
      planId: plan.json().id,
      entityId,
      visitedOn: '2026-03-05',
      visitorName: '李四',
      learned: '店主反映电子秤检定难',
      problems: [{ line: 'metrology', content: '电子秤检定要跑很远，希望上门检定' }],
    });
    expect(v.statusCode, v.body).toBe(201);
    const [caseId] = v.json().caseIds;
    expect(
      await t.db
        .selectFrom('appeal_case')
        .select(['door', 'unit_kind', 'unit_line', 'scope_key', 'raised_key', 'entity_id'])
        .where('id', '=', caseId)
        .executeTakeFirst(),
    ).toEqual({
      door: 'visit',
      unit_kind: 'bureau',
      unit_line: 'metrology',
      scope_key: COUNTY,
      raised_key: S1,
      entity_id: entityId,
    });
    const seen = (await staff1.get(`/appeals/${caseId}`)).json();
    expect(seen).toMatchObject({ mine: false, actions: [], categoryLabel: '计量', entityName: '走访小吃店' });
    expect((await act(staff1, caseId, { action: 'accept' })).statusCode).toBe(403);
    expect((await staff2.get(`/appeals/${caseId}`)).statusCode).toBe(404);
    expect((await act(editor, caseId, { action: 'accept' })).statusCode).toBe(200);
    expect((await staff1.get('/visit-plans')).json().items[0]).toMatchObject({ entities: 1, visited: 1 });
    expect((await staff1.get('/visits')).json().items[0]).toMatchObject({ problems: 1, entityName: '走访小吃店' });
  });

  it('takes a report from the plaque page as a case of the plaque door; the 三亮 handling resolves it', async () => {
    const [memberId] = await ledger(t.db).members(entityId, 1, 0, ['王五']);
    const rec = await editor.post('/sanliang', {
      kind: 'member_operator',
      memberId,
      entityId,
      duties: '守法经营诚实守信',
      commitment: '不售假货接受监督',
      shownOn: '2026-03-01',
    });
    const plaque = await staff1.post(`/sanliang/${rec.json().id}/plaques`);
    const fb = await t.app.inject({
      method: 'POST',
      url: `/api/v1/public/plaques/${(await t.db.selectFrom('sanliang_plaque').select('public_token').where('number', '=', plaque.json().number).executeTakeFirstOrThrow()).public_token}/feedback`,
      payload: { category: 'conduct', content: '该经营户缺斤短两' },
      remoteAddress: nextIp(),
    });
    expect(fb.statusCode, fb.body).toBe(201);
    const { code } = fb.json();
    const c = await t.db.selectFrom('appeal_case').selectAll().where('door', '=', 'plaque').executeTakeFirstOrThrow();
    expect(c).toMatchObject({ category: 'conduct', unit_code: S1, state: 'routed' });
    expect((await staff1.get('/appeals?door=plaque')).json().items[0]).toMatchObject({
      id: Number(c.id),
      categoryLabel: expect.any(String),
    });
    const feedbackId = Number(c.plaque_feedback_id);
    expect(
      (await staff1.post(`/plaque-feedback/${feedbackId}/handle`, { note: '已上门核实，责令整改' })).statusCode,
    ).toBe(200);
    expect((await progress(code)).json()).toMatchObject({ state: 'resolved', reply: '已上门核实，责令整改' });
  });

  it('masks ID numbers and phones in the reply the public reads by the tracking code (round-5 probe)', async () => {
    const { code, id } = await raise();
    expect((await act(staff1, id, { action: 'accept' })).statusCode).toBe(200);
    const reply = '已联系车主王某（身份证320115199812058626，电话17801335127），问题已解决';
    expect((await act(staff1, id, { action: 'resolve', reply })).json().state).toBe('resolved');
    const shown = (await progress(code)).json().reply as string;
    expect(shown).toBe('已联系车主王某（身份证320115********8626，电话178****5127），问题已解决');
    const stored = await t.db
      .selectFrom('appeal_case')
      .select('public_reply')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(stored.public_reply).toBe(shown);
  });

  it('keeps the business lines a configurable list: renamed freely, an in-use line not removed', async () => {
    const admin = await t.signIn(await t.user({ roles: ['sysadmin'], jurisdiction: '000000' }));
    const lines = (await admin.get('/dictionaries')).json().business_line as { code: string; label: string }[];
    expect(lines.map((l) => l.label)).toEqual([
      '质量',
      '计量',
      '登记注册',
      '信用',
      '网络监管',
      '食品',
      '标准',
      '认证认可',
      '特种设备',
      '其他',
    ]);
    const without = lines.filter((l) => l.code !== 'metrology');
    expect(
      (await admin.call('PUT', '/code-lists/business_line', { entries: without })).json().errors[0].message,
    ).toMatch(/仍有记录使用.*metrology/);
    const renamed = lines
      .map((l) => (l.code === 'online' ? { ...l, label: '网络交易监管' } : l))
      .concat({ code: 'price', label: '价格' });
    expect((await admin.call('PUT', '/code-lists/business_line', { entries: renamed })).statusCode).toBe(200);
    expect(
      (
        await staff1.post('/visits', {
          entityId,
          visitedOn: '2026-03-06',
          visitorName: '李四',
          learned: '价格问题',
          problems: [{ line: 'price', content: '周边商户反映收费不透明' }],
        })
      ).statusCode,
    ).toBe(201);
  });

  it('gives figures by child: doors, states, step times, overdue, satisfaction, visits', async () => {
    const f = (await editor.get(`/appeals/figures?under=${COUNTY}`)).json();
    const total = Number(
      (
        await t.db
          .selectFrom('appeal_case')
          .select((e) => e.fn.countAll<number>().as('n'))
          .where('scope_key', 'like', `${COUNTY}%`)
          .executeTakeFirstOrThrow()
      ).n,
    );
    expect(f.total.total).toBe(total);
    expect(f.byDoor.rider + (f.byDoor.visit ?? 0) + (f.byDoor.plaque ?? 0)).toBe(total);
    expect(f.total).toMatchObject({ satisfaction: 5, rated: 1, visits: 2, entitiesVisited: 1 });
    expect(f.steps.map((s: { step: string }) => s.step)).toEqual(['route', 'accept', 'resolve', 'feedback']);
    expect(f.steps[1].p50Hours).not.toBeNull();
    const s1 = f.children.find((c: { code: string }) => c.code === S1);
    expect(s1).toMatchObject({ visits: 2, entitiesVisited: 1 });
    expect(s1.total).toBeGreaterThan(0);
    expect((await staff2.get(`/appeals/figures?under=${S1}`)).statusCode).toBe(404);
    const mine = (await staff2.get('/appeals/figures')).json();
    expect(mine.total.visits).toBe(0);
  });

  it('gives the dashboard the same counts (the indicator source of cases and visits)', async () => {
    const f = (await editor.get(`/appeals/figures?under=${COUNTY}`)).json();
    const d = (await editor.get(`/dashboard?under=${COUNTY}`)).json();
    expect(d.figures).toMatchObject({
      appealsReceived: f.total.total,
      appealsOpen: f.total.open,
      appealsOverdue: f.total.overdue,
      appealsRated: f.total.rated,
      visits: f.total.visits,
      entitiesVisited: f.total.entitiesVisited,
    });
    expect(d.figures.appealSatisfaction).toBe(1);
  });

  it('exports the list as xlsx with an audit record', async () => {
    await raise();
    const res = await staff1.get('/appeals/export?door=rider');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/spreadsheetml/);
    expect(
      await t.db.selectFrom('audit_log').select('action').where('action', '=', 'appeal.export').executeTakeFirst(),
    ).toBeTruthy();
    // Times as the screen shows them: the deployment's zone (China time), not UTC; as Excel times (sortable), not text.
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as never);
    const sheet = wb.worksheets[0];
    const first = sheet.getRow(2);
    const c = await t.db
      .selectFrom('appeal_case')
      .select('created_at')
      .where('id', '=', Number(first.getCell(1).value))
      .executeTakeFirstOrThrow();
    const china = new Date(c.created_at).toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' }).slice(0, 16);
    expect(first.getCell(9).value).toEqual(new Date(`${china.replace(' ', 'T')}:00Z`));
    expect(first.getCell(9).numFmt).toBe('yyyy-mm-dd hh:mm');
  });

  // Last: it writes and deletes cases of its own.
  it('keeps the case tallies equal to the cases through every move, bulk changes and deletes; a rebuild gives the same rows', async () => {
    const kept = async () => ({
      counts: (
        await sql`SELECT scope_key, door, category, state, escalated, n, rated, stars, satisfied FROM appeal_tally
        WHERE (n, rated, stars, satisfied) <> (0, 0, 0, 0) ORDER BY 1, 2, 3, 4, 5`.execute(t.db)
      ).rows,
      steps: (
        await sql`SELECT scope_key, step, bucket, n FROM appeal_step_tally WHERE n <> 0 ORDER BY 1, 2, 3`.execute(t.db)
      ).rows,
      due: (await sql`SELECT scope_key, due_on::text, n FROM appeal_due_tally WHERE n <> 0 ORDER BY 1, 2`.execute(t.db))
        .rows,
      // The dashboard's per-county sums of the counts (migration 0046).
      county: (
        await sql`SELECT scope_key, door, category, state, escalated, n, rated, stars, satisfied FROM appeal_tally_county
        WHERE (n, rated, stars, satisfied) <> (0, 0, 0, 0) ORDER BY 1, 2, 3, 4, 5`.execute(t.db)
      ).rows,
    });
    const recounted = async () => ({
      counts: (
        await sql`SELECT scope_key, door, category, state, escalation_level > 0 AS escalated, count(*)::int AS n, count(satisfaction)::int AS rated,
          coalesce(sum(satisfaction), 0)::int AS stars, count(*) FILTER (WHERE satisfaction >= 4)::int AS satisfied
        FROM appeal_case GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`.execute(t.db)
      ).rows,
      steps: (
        await sql`SELECT c.scope_key, v.step, xgz_step_bucket(v.ms) AS bucket, count(*)::int AS n
        FROM appeal_case c CROSS JOIN LATERAL (VALUES ('route', c.route_ms), ('accept', c.accept_ms), ('resolve', c.resolve_ms), ('feedback', c.feedback_ms)) v(step, ms)
        WHERE v.ms IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`.execute(t.db)
      ).rows,
      due: (
        await sql`SELECT scope_key, (due_at AT TIME ZONE 'UTC')::date::text AS due_on, count(*)::int AS n FROM appeal_case
        WHERE state IN ('intake', 'routed', 'accepted', 'handling') AND due_at IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2`.execute(
          t.db,
        )
      ).rows,
      county: (
        await sql`SELECT left(scope_key, 6) AS scope_key, door, category, state, escalation_level > 0 AS escalated, count(*)::int AS n, count(satisfaction)::int AS rated,
          coalesce(sum(satisfaction), 0)::int AS stars, count(*) FILTER (WHERE satisfaction >= 4)::int AS satisfied
        FROM appeal_case GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`.execute(t.db)
      ).rows,
    });
    // After every move the tests above made through the engine:
    expect(await kept()).toEqual(await recounted());

    // Bulk statements that move many cases at once, between units, states, escalation and step times.
    let seed = 11;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    await sql`INSERT INTO appeal_case (door, category, content, county_code, unit_kind, unit_code, scope_key, raised_key, state, step_started_at, due_at, route_ms)
      SELECT 'rider', (ARRAY['entry','parking','charging'])[1 + i % 3], '批量 ' || i, ${COUNTY}, 'station', ${S1}, ${S1}, ${S1}, 'routed', now(), now() + interval '1 day', 0
      FROM generate_series(1, 40) i`.execute(t.db);
    const mine = (
      await sql<{ id: number }>`SELECT id FROM appeal_case WHERE content LIKE '批量 %' ORDER BY id`.execute(t.db)
    ).rows.map((r) => Number(r.id));
    // The statement's time as a value (epoch seconds, made a time by the IMMUTABLE to_timestamp): Citus
    // takes no STABLE function inside a CASE of an UPDATE — now(), nor timestamptz ± interval.
    const now = (await sql<{ t: Date }>`SELECT now() AS t`.execute(t.db)).rows[0].t;
    const epoch = now.getTime() / 1000;
    for (let round = 0; round < 12; round++) {
      const ids = mine.filter(() => rnd() < 0.4);
      const state = ['routed', 'accepted', 'handling', 'resolved', 'closed'][Math.floor(rnd() * 5)];
      const scope = [S1, S2, COUNTY][Math.floor(rnd() * 3)];
      await sql`UPDATE appeal_case SET state = ${state}, scope_key = ${scope}, unit_code = ${scope},
          public_reply = CASE WHEN ${state} IN ('resolved', 'closed') THEN '已处理' END, resolved_at = CASE WHEN ${state} IN ('resolved', 'closed') THEN to_timestamp(${epoch}::float8) END,
          satisfaction = CASE WHEN ${state} = 'closed' THEN 1 + (id * ${round + 3}) % 5 END, escalation_level = (id + ${round}) % 2,
          due_at = CASE WHEN ${state} NOT IN ('resolved', 'closed') THEN to_timestamp(${epoch}::float8 + 60 * ((id * ${round + 5}) % 6000 - 3000)) END,
          accept_ms = CASE WHEN ${state} <> 'routed' THEN 3600000 * (1 + (id * ${round + 7}) % 90) END,
          resolve_ms = CASE WHEN ${state} IN ('resolved', 'closed') THEN 60000 * (id * ${round + 13}) % 2000000 END
        WHERE id = ANY(${ids}::bigint[])`.execute(t.db);
    }
    expect(await kept()).toEqual(await recounted());

    // One case due earlier today (today's part of the overdue count), one due yesterday (the kept days).
    await sql`UPDATE appeal_case SET state = 'accepted', public_reply = NULL, resolved_at = NULL, satisfaction = NULL,
        due_at = CASE WHEN id = ${mine[0]} THEN to_timestamp(${Math.max(Math.floor(epoch / 86400) * 86400, epoch - 60)}::float8) ELSE to_timestamp(${epoch - 86400}::float8) END
      WHERE id IN (${mine[0]}, ${mine[1]})`.execute(t.db);
    expect(await kept()).toEqual(await recounted());
    // Overdue now: the kept due days before today and today's cases past due, as a straight count says.
    const overdue = (
      await sql<{ n: number }>`SELECT count(*)::int AS n FROM appeal_case WHERE starts_with(scope_key, ${COUNTY})
      AND state IN ('intake', 'routed', 'accepted', 'handling') AND due_at < now()`.execute(t.db)
    ).rows[0].n;
    expect(overdue).toBeGreaterThan(0);
    expect((await editor.get(`/appeals/figures?under=${COUNTY}`)).json().total.overdue).toBe(overdue);
    expect((await editor.get(`/dashboard?under=${COUNTY}`)).json().figures.appealsOverdue).toBe(overdue);

    // The county's step-time percentiles are within one bucket (and the 0.1 h shown) of the exact ones.
    const f = (await editor.get(`/appeals/figures?under=${COUNTY}`)).json();
    const exact = (
      await sql<Record<string, number[] | null>>`SELECT
        percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY accept_ms) AS accept, percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY resolve_ms) AS resolve
      FROM appeal_case WHERE starts_with(scope_key, ${COUNTY})`.execute(t.db)
    ).rows[0];
    for (const step of ['accept', 'resolve'] as const) {
      const got = f.steps.find((s: { step: string }) => s.step === step);
      exact[step]!.forEach((want, i) =>
        expect(
          Math.abs([got.p50Hours, got.p90Hours][i] * 3_600_000 - want),
          `${step} p${i ? 90 : 50}`,
        ).toBeLessThanOrEqual(maxError(want * 1.03) + 180_000),
      );
    }
    // The buckets SQL fills are the ones the figures read back.
    const probes = [0, 59_999, 60_000, 61_000, 3_600_000, 86_400_000, 86_400_000 * 30, 86_400_000 * 365];
    const buckets = (
      await sql<{
        b: number;
      }>`SELECT xgz_step_bucket(ms) AS b FROM unnest(${probes}::bigint[]) WITH ORDINALITY u(ms, i) ORDER BY i`.execute(
        t.db,
      )
    ).rows;
    probes.forEach((ms, i) => {
      const [lo, hi] = bucketBounds(buckets[i].b);
      expect(ms >= lo - 1e-6 && ms < hi, `${ms} ms in bucket ${buckets[i].b}`).toBe(true);
    });

    await sql`DELETE FROM appeal_case WHERE id = ANY(${mine.slice(0, 25)}::bigint[])`.execute(t.db);
    expect(await kept()).toEqual(await recounted());
    const before = await kept();
    await sql`SELECT xgz_appeal_tally_rebuild()`.execute(t.db);
    expect(await kept()).toEqual(before);
  });
});
