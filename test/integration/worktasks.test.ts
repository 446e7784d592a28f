import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { countBoard } from '../../src/domain/worktasks/rules.js';
import { runReminders, setClock } from '../../src/features/worktasks/index.js';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { ledger } from '../helpers/ledger.js';
import { PDF, PNG, upload } from '../helpers/attachments.js';

const CITY = '320100';
const A = '320102';
const A1 = '320102001';
const A2 = '320102002';
const B = '320104';
const B1 = '320104001';
const DAY = 86_400_000;
type Client = Awaited<ReturnType<TestApp['signIn']>>;

describe.each(BACKENDS)('notices and tasks down the tree on %s', (backend) => {
  let t: TestApp;
  let city: Client, countyA: Client, countyB: Client, stA1: Client, stA2: Client, stB1: Client;
  let cityUserId: number;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xgz-att-'));
  let taskId: number;
  const tgt: Record<string, number> = {};
  let subA: number;
  let subB: number;
  let replyFileId: number;
  let due: Date;

  beforeAll(async () => {
    t = await testApp(backend);
    t.app.ctx.config.dataDir = dataDir;
    const l = ledger(t.db);
    for (const s of [A1, A2, B1]) await l.station(s);
    const cityUser = await t.user({ roles: ['editor'], jurisdiction: CITY });
    cityUserId = cityUser.id;
    city = await t.signIn(cityUser);
    countyA = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: A }));
    countyB = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: B }));
    stA1 = await t.signIn(await t.user({ roles: ['station_staff'], jurisdiction: A1 }));
    stA2 = await t.signIn(await t.user({ roles: ['station_staff'], jurisdiction: A2 }));
    stB1 = await t.signIn(await t.user({ roles: ['station_staff'], jurisdiction: B1 }));
  });
  afterEach(() => setClock());
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests read response bodies loosely, as the other suites do
  const ok = async <T = Record<string, any>>(
    p: Promise<{ statusCode: number; body: string; json(): unknown }>,
    status = 200,
  ): Promise<T> => {
    const res = await p;
    expect(res.statusCode, res.body).toBe(status);
    return (res.body ? res.json() : null) as T;
  };

  it('refuses a task to a node outside the issuer subtree with 404 and writes nothing', async () => {
    const before = await t.db
      .selectFrom('deployment')
      .select((e) => e.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const res = await countyA.post('/deployments', {
      kind: 'task',
      title: '越级任务',
      body: '不应写入',
      dueAt: new Date(Date.now() + 3 * DAY).toISOString(),
      targets: [A1, B1],
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().errors).toEqual([{ field: 'targets.1', message: '不存在，或不在您的下级' }]);
    // Its own node is not "below" either.
    expect(
      (await countyA.post('/deployments', { kind: 'notice', title: '发给自己', body: 'x', targets: [A] })).statusCode,
    ).toBe(404);
    const after = await t.db
      .selectFrom('deployment')
      .select((e) => e.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    expect(
      Number(
        (
          await t.db
            .selectFrom('deployment_target')
            .select((e) => e.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    ).toBe(0);
    // A task needs a deadline in the future.
    expect(
      (await city.post('/deployments', { kind: 'task', title: '无期限', body: 'x', targets: [A] })).statusCode,
    ).toBe(422);
  });

  it('issues a city task to two counties with an attachment; each county sees it and is notified', async () => {
    due = new Date(Date.now() + 5 * DAY);
    taskId = (
      await ok<{ id: number }>(
        city.post('/deployments', {
          kind: 'task',
          title: '开展新业态走访',
          body: '请各区组织基层所走访辖区平台站点。',
          dueAt: due.toISOString(),
          remindDays: 2,
          evidence: '走访情况说明',
          figures: [{ key: 'visited', label: '走访站点数', unit: '个' }],
          targets: [A, B],
        }),
        201,
      )
    ).id;
    const file = await ok(upload(city, 'deployment', taskId, '走访方案.pdf', PDF), 201);
    expect(file.mediaType).toBe('application/pdf');
    // Stored encrypted under the data dir: the PDF's bytes are nowhere in clear.
    const stored = fs
      .readdirSync(path.join(dataDir, 'attachments'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile());
    expect(stored).toHaveLength(1);
    expect(fs.readFileSync(path.join(stored[0].parentPath, stored[0].name)).includes(Buffer.from('%PDF'))).toBe(false);

    for (const [c, code] of [
      [countyA, A],
      [countyB, B],
    ] as const) {
      const inbox = await ok<{ items: { id: number; mine: { targetId: number; state: string } }[] }>(
        c.get('/deployments?box=received'),
      );
      expect(inbox.items.map((i) => i.id)).toEqual([taskId]);
      tgt[code] = inbox.items[0].mine.targetId;
      const detail = await ok(c.get(`/deployments/${taskId}`));
      expect(detail.attachments.map((a: { fileName: string }) => a.fileName)).toEqual(['走访方案.pdf']);
      const dl = await c.get(`/attachments/${detail.attachments[0].id}/file`);
      expect(dl.statusCode).toBe(200);
      expect(dl.rawPayload.equals(PDF)).toBe(true);
      expect(String(dl.headers['content-disposition'])).toContain(encodeURIComponent('走访方案.pdf'));
      const bell = await ok(c.get('/notifications'));
      expect(bell.unread).toBe(1);
      expect(bell.items[0].link).toBe(`/work/${taskId}`);
    }
    // Stations are not targets of the city task: they do not see it.
    expect((await stA1.get(`/deployments/${taskId}`)).statusCode).toBe(404);
    // A download is audited.
    expect(
      await t.db.selectFrom('audit_log').select('action').where('action', '=', 'attachment.download').execute(),
    ).toHaveLength(2);
  });

  it('counties receive and pass part of it down to their stations; the stations see only their own', async () => {
    await ok(countyA.post(`/deployment-targets/${tgt[A]}/receive`), 204);
    // Signed for: the bell no longer counts the notice of it as unread (the other county's stays).
    expect((await ok(countyA.get('/notifications'))).unread).toBe(0);
    expect((await ok(countyB.get('/notifications'))).unread).toBe(1);
    expect((await countyA.post(`/deployment-targets/${tgt[A]}/receive`)).statusCode).toBe(409);
    // A county cannot act on the other county's row.
    expect((await countyA.post(`/deployment-targets/${tgt[B]}/receive`)).statusCode).toBe(404);
    const subDue = new Date(due.getTime() - DAY).toISOString();
    // The pass-down may not outrun the parent's deadline.
    expect(
      (
        await countyA.post('/deployments', {
          kind: 'task',
          title: 'x',
          body: 'x',
          dueAt: new Date(due.getTime() + DAY).toISOString(),
          targets: [A1],
          parentTargetId: tgt[A],
        })
      ).statusCode,
    ).toBe(422);
    // Nor can a county pass down a row that is not its own.
    expect(
      (
        await countyB.post('/deployments', {
          kind: 'task',
          title: 'x',
          body: 'x',
          dueAt: subDue,
          targets: [B1],
          parentTargetId: tgt[A],
        })
      ).statusCode,
    ).toBe(404);
    subA = (
      await ok<{ id: number }>(
        countyA.post('/deployments', {
          kind: 'task',
          title: '走访平台站点（玄武）',
          body: '各所走访本所辖区站点',
          dueAt: subDue,
          figures: [{ key: 'visited', label: '走访站点数' }],
          levels: ['station'],
          parentTargetId: tgt[A],
        }),
        201,
      )
    ).id;
    subB = (
      await ok<{ id: number }>(
        countyB.post('/deployments', {
          kind: 'task',
          title: '走访平台站点（秦淮）',
          body: '本所走访',
          dueAt: subDue,
          targets: [B1],
          parentTargetId: tgt[B],
        }),
        201,
      )
    ).id;
    const a1 = await ok(stA1.get(`/deployments/${subA}`));
    // The station opens the city's task its county passed down (read-only: the chain, 0075).
    expect(a1.parent).toEqual({ id: taskId, title: '开展新业态走访', issuerName: '南京市' });
    expect((await ok(countyA.get(`/deployments/${subA}`))).parent.id).toBe(taskId);
    expect(a1.own.node.code).toBe(A1);
    tgt[A1] = a1.own.id;
    tgt[A2] = (await ok(stA2.get(`/deployments/${subA}`))).own.id;
    tgt[B1] = (await ok(stB1.get(`/deployments/${subB}`))).own.id;
    expect((await stB1.get(`/deployments/${subA}`)).statusCode).toBe(404);
    // A station does not see the level above's board.
    expect((await stA1.get(`/deployments/${subA}/board`)).statusCode).toBe(403);
  });

  it("the city's board by county: each county with what it passed down", async () => {
    const board = await ok(city.get(`/deployments/${taskId}/board`));
    const byCode = new Map(board.areas.map((a: { code: string }) => [a.code, a]));
    expect(byCode.get(A)).toMatchObject({
      name: expect.any(String),
      counts: { total: 1, done: 0 },
      passedDown: { total: 2, done: 0 },
      targetIds: [tgt[A]],
    });
    expect(byCode.get(B)).toMatchObject({ counts: { total: 1 }, passedDown: { total: 1 }, targetIds: [tgt[B]] });
  });

  it('a station replies with an attachment and linked figures; its sibling sees neither the reply nor the file', async () => {
    await ok(stA1.post(`/deployment-targets/${tgt[A1]}/receive`), 204);
    // A mobile in a file's name is masked for every reader, its uploader too (round-4 probe).
    const file = await ok(upload(stA1, 'deployment_target', tgt[A1], '走访照片13912345678.png', PNG), 201);
    expect(file.fileName).toBe('走访照片139****5678.png');
    replyFileId = file.id;
    // Figures asked for must be given.
    expect((await stA1.post(`/deployment-targets/${tgt[A1]}/reply`, { text: '已走访' })).statusCode).toBe(422);
    // A linked record must be one the station can see.
    expect(
      (
        await stA1.post(`/deployment-targets/${tgt[A1]}/reply`, {
          text: '已走访',
          figures: { visited: 3 },
          links: [{ kind: 'visit', id: 999999 }],
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (
        await ok(
          stA1.post(`/deployment-targets/${tgt[A1]}/reply`, { text: '已走访 3 个站点', figures: { visited: 3 } }),
        )
      ).late,
    ).toBe(false);
    expect(
      (await stA1.post(`/deployment-targets/${tgt[A1]}/reply`, { text: '再报一次', figures: { visited: 3 } }))
        .statusCode,
    ).toBe(409);
    // After the reply its files are fixed until a return.
    expect((await upload(stA1, 'deployment_target', tgt[A1], '补充.pdf', PDF)).statusCode).toBe(403);

    // The sibling station: no reply row, no file, no upload onto it.
    expect((await stA2.get(`/deployment-targets/${tgt[A1]}`)).statusCode).toBe(404);
    expect((await stA2.get(`/attachments/${replyFileId}/file`)).statusCode).toBe(404);
    expect((await upload(stA2, 'deployment_target', tgt[A1], 'x.pdf', PDF)).statusCode).toBe(404);
    expect(JSON.stringify(await ok(stA2.get(`/deployments/${subA}`)))).not.toContain('走访照片');
    expect((await stB1.get(`/attachments/${replyFileId}/file`)).statusCode).toBe(404);
    // The county and the city above see it.
    expect((await countyA.get(`/attachments/${replyFileId}/file`)).rawPayload.equals(PNG)).toBe(true);
    const drill = await ok(city.get(`/deployment-targets/${tgt[A1]}`));
    expect(drill.replyText).toBe('已走访 3 个站点');
    expect(drill.attachments.map((a: { fileName: string }) => a.fileName)).toEqual(['走访照片139****5678.png']);
    expect(drill.events.map((e: { action: string }) => e.action)).toEqual(['receive', 'reply']);
  });

  it('refuses attachments over the limit, of a refused type, or whose bytes do not match the name, naming the file', async () => {
    const refused = async (name: string, content: Buffer, status: number) => {
      const res = await upload(stA2, 'deployment_target', tgt[A2], name, content);
      expect(res.statusCode, res.body).toBe(status);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().detail).toContain(`"${name}"`);
      return res.json().detail as string;
    };
    expect(await refused('病毒.exe', Buffer.from('MZ\x90\x00'), 415)).toContain('类型不受支持');
    expect(await refused('伪装.pdf', PNG, 415)).toContain('内容与文件名不符');
    expect(await refused('空白.docx', Buffer.from('not a zip at all'), 415)).toContain('内容不是可接受的文件类型');
    const max = t.app.ctx.config.attachmentMaxBytes;
    t.app.ctx.config.attachmentMaxBytes = 1000;
    try {
      expect(await refused('大文件.pdf', Buffer.concat([PDF, Buffer.alloc(2000, 0x20)]), 413)).toContain(
        '超过大小上限',
      );
    } finally {
      t.app.ctx.config.attachmentMaxBytes = max;
    }
    expect(
      await t.db
        .selectFrom('attachment')
        .select('id')
        .where('owner_id', '=', tgt[A2])
        .where('owner_type', '=', 'deployment_target')
        .execute(),
    ).toEqual([]);
  });

  it('removes a file only by its uploader while the record may still change, audited', async () => {
    const file = await ok(upload(stA2, 'deployment_target', tgt[A2], '草稿.pdf', PDF), 201);
    expect((await countyA.del(`/attachments/${file.id}`)).statusCode).toBe(403); // the county may read it, not remove it
    expect((await stA1.del(`/attachments/${file.id}`)).statusCode).toBe(404); // the sibling cannot even see it
    await ok(stA2.del(`/attachments/${file.id}`), 204);
    expect((await stA2.get(`/attachments/${file.id}/file`)).statusCode).toBe(404);
    expect((await ok(stA2.get(`/deployment-targets/${tgt[A2]}`))).attachments).toEqual([]);
    expect(
      await t.db.selectFrom('audit_log').select('object_id').where('action', '=', 'attachment.remove').execute(),
    ).toEqual([{ object_id: String(file.id) }]);
  });

  it('the issuer returns a reply with a reason; the node replies again', async () => {
    expect((await countyA.post(`/deployment-targets/${tgt[A1]}/return`, {})).statusCode).toBe(400);
    expect((await stA1.post(`/deployment-targets/${tgt[A1]}/return`, { reason: '自己退回' })).statusCode).toBe(403);
    await ok(countyA.post(`/deployment-targets/${tgt[A1]}/return`, { reason: '请补充走访的站点名单' }), 204);
    const mine = await ok(stA1.get(`/deployments/${subA}`));
    expect(mine.own).toMatchObject({ state: 'returned', returnReason: '请补充走访的站点名单', status: 'returned' });
    expect((await ok(stA1.get('/notifications'))).items[0].title).toContain('退回');
    await ok(
      stA1.post(`/deployment-targets/${tgt[A1]}/reply`, {
        text: '已走访 3 个站点：甲站、乙站、丙站',
        figures: { visited: 3 },
      }),
    );
    const board = await ok(countyA.get(`/deployments/${subA}/board`));
    expect(board.counts).toMatchObject({ total: 2, done: 1, pending: 1, overdue: 0 });
  });

  it('reminds before the deadline, marks overdue after it (injected clock), accepts a late reply marked late', async () => {
    const soon = await runReminders(t.db, new Date(due.getTime() - 2.5 * DAY)); // the sub-tasks are due a day earlier: within 2 days of theirs
    expect(soon.reminded).toBeGreaterThanOrEqual(2); // A2 and B1 (A1 is done)
    const again = await runReminders(t.db, new Date(due.getTime() - 2.4 * DAY));
    expect(again.reminded).toBe(0); // once per target
    const after = new Date(due.getTime() + DAY);
    const late = await runReminders(t.db, after);
    expect(late.overdue).toBeGreaterThanOrEqual(3); // A2, B1 on the sub-tasks; A and B on the city task
    expect(
      (await ok(city.get('/notifications'))).items.some((n: { title: string }) => n.title.startsWith('已逾期')),
    ).toBe(true);

    setClock(() => after);
    const board = await ok(city.get(`/deployments/${taskId}/board`));
    expect(board.counts).toMatchObject({ total: 2, overdue: 2, done: 0 });
    const reply = await ok(
      countyB.post(`/deployment-targets/${tgt[B]}/reply`, { text: '秦淮区已完成', figures: { visited: 1 } }),
    );
    expect(reply.late).toBe(true);
    const board2 = await ok(city.get(`/deployments/${taskId}/board`));
    expect(board2.counts).toMatchObject({ total: 2, overdue: 1, done: 1, late: 1 });
    const rowA = board2.targets.find((x: { node: { code: string } }) => x.node.code === A);
    expect(rowA.passedDown).toEqual([
      { id: subA, title: '走访平台站点（玄武）', counts: expect.objectContaining({ total: 2, done: 1 }) },
    ]);
  });

  it("the board's counts equal a recompute from the rows", async () => {
    const now = new Date(due.getTime() + DAY);
    setClock(() => now);
    for (const id of [taskId, subA, subB]) {
      const board = await ok(city.get(`/deployments/${id}/board`));
      const d = await t.db.selectFrom('deployment').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      const rows = await t.db
        .selectFrom('deployment_target')
        .select(['state', 'late'])
        .where('deployment_id', '=', id)
        .execute();
      expect(board.counts).toEqual(
        countBoard(
          d.kind,
          d.receipt_required,
          d.due_at ? new Date(d.due_at) : null,
          now,
          rows.map((r) => ({ state: r.state, late: r.late })),
        ),
      );
      // And independently, straight from SQL: done = replied; overdue = not replied and past due.
      const replied = rows.filter((r) => r.state === 'replied').length;
      expect(board.counts.done).toBe(replied);
      expect(board.counts.overdue).toBe(rows.length - replied);
    }
  });

  it('a notice to every county asks for a receipt only, and exports its board to Excel', async () => {
    const id = (
      await ok<{ id: number }>(
        city.post('/deployments', {
          kind: 'notice',
          title: '关于做好年报党建信息采集的通知',
          body: '请周知。',
          levels: ['county'],
        }),
        201,
      )
    ).id;
    expect(
      (
        await countyA.post(`/deployment-targets/${(await ok(countyA.get(`/deployments/${id}`))).own.id}/reply`, {
          text: 'x',
        })
      ).statusCode,
    ).toBe(409);
    await ok(countyA.post(`/deployment-targets/${(await ok(countyA.get(`/deployments/${id}`))).own.id}/receive`), 204);
    const board = await ok(city.get(`/deployments/${id}/board`));
    const counties = (
      await t.db
        .selectFrom('jurisdiction')
        .select('code')
        .where('parent_code', '=', CITY)
        .where('level', '=', 'county')
        .execute()
    ).length;
    expect(counties).toBeGreaterThan(2);
    expect(board.counts).toMatchObject({ total: counties, done: 1, pending: counties - 1 });
    const res = await city.get(`/deployments/${taskId}/board.xlsx`);
    expect(res.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    expect(ws.getRow(1).getCell(1).value).toBe('单位');
    expect(ws.rowCount).toBe(3);
    const cells = [ws.getRow(2).getCell(3).value, ws.getRow(3).getCell(3).value];
    expect(cells).toEqual(expect.arrayContaining(['已办结']));
    // Issued box: the city sees both of its deployments with their tiles; the counties' issued boxes hold their pass-downs only.
    const issued = await ok(city.get('/deployments?box=issued'));
    expect(issued.items.map((i: { id: number }) => i.id)).toEqual([id, taskId]);
    expect((await ok(countyA.get('/deployments?box=issued'))).items.map((i: { id: number }) => i.id)).toEqual([subA]);
    expect(cityUserId).toBeGreaterThan(0);
  });

  it("reads a deadline in the deployment's zone: a date is the end of that day, a time without offset China time; a day the calendar has not is refused", async () => {
    const year = new Date().getFullYear() + 1;
    const issue = (dueAt: string) =>
      city.post('/deployments', { kind: 'task', title: `期限${dueAt}`, body: 'x', dueAt, targets: [A] });
    const noDay = await issue(`${year}-02-30`);
    expect(noDay.statusCode).toBe(422);
    expect(noDay.json().errors[0].field).toBe('dueAt');
    expect((await issue(`${year}-03-01T25:00`)).statusCode).toBe(422);
    const dueOf = async (res: { json(): { id: number } }) =>
      String(
        (await t.db.selectFrom('deployment').select('due_at').where('id', '=', res.json().id).executeTakeFirstOrThrow())
          .due_at,
      );
    expect(new Date(await dueOf(await issue(`${year}-03-01`))).toISOString()).toBe(`${year}-03-01T15:59:59.000Z`);
    expect(new Date(await dueOf(await issue(`${year}-03-01T10:00`))).toISOString()).toBe(`${year}-03-01T02:00:00.000Z`);
    expect(new Date(await dueOf(await issue(`${year}-03-01T10:00:00Z`))).toISOString()).toBe(
      `${year}-03-01T10:00:00.000Z`,
    );
    // The notice says the day as China has it: 07:00 on the 11th is the 11th, not UTC's 10th.
    const early = await issue(`${year}-03-11T07:00:00+08:00`);
    const note = await t.db
      .selectFrom('notification')
      .select('body')
      .where('link', '=', `/work/${early.json().id}`)
      .executeTakeFirstOrThrow();
    expect(note.body).toBe(`截止 ${year}-03-11 07:00`);
  });

  it('the issuer corrects or withdraws what it sent: the nodes are told, parts passed down close with it or end by its deadline, nothing else may', async () => {
    const due = new Date(Date.now() + 6 * DAY);
    const id = (
      await ok<{ id: number }>(
        city.post('/deployments', {
          kind: 'task',
          title: '排查快递网点',
          body: '初稿',
          dueAt: due.toISOString(),
          targets: [A, B],
        }),
        201,
      )
    ).id;
    const own = async (c: Client) => (await ok(c.get(`/deployments/${id}`))).own.id as number;
    const [ta, tb] = [await own(countyA), await own(countyB)];
    await ok(countyB.post(`/deployment-targets/${tb}/reply`, { text: '已排查' }));
    const sub = (
      await ok<{ id: number }>(
        countyA.post('/deployments', {
          kind: 'task',
          title: '排查快递网点（玄武）',
          body: '各所排查',
          dueAt: new Date(due.getTime() - DAY).toISOString(),
          targets: [A1],
          parentTargetId: ta,
        }),
        201,
      )
    ).id;
    // Passed on before any receipt: the county has it in hand, and the city's board says so (not 未签收).
    const passed = await ok(countyA.get(`/deployment-targets/${ta}`));
    expect(passed.state).toBe('received');
    expect(passed.events.map((e: { action: string }) => e.action)).toEqual(['receive', 'pass_down']);

    // Only the issuing unit changes it; a recipient is refused, and so is the station it was passed down to
    // (which reads it, read-only); a node below outside that chain does not see it.
    expect((await countyA.patch(`/deployments/${id}`, { title: 'x', note: 'x' })).statusCode).toBe(403);
    expect((await countyA.post(`/deployments/${id}/withdraw`, { reason: 'x' })).statusCode).toBe(403);
    expect((await stA1.post(`/deployments/${id}/withdraw`, { reason: 'x' })).statusCode).toBe(403);
    expect((await stA2.post(`/deployments/${id}/withdraw`, { reason: 'x' })).statusCode).toBe(404);
    // A change says why, changes something, and keeps a deadline ahead (and a part passed down within its parent's).
    expect((await city.patch(`/deployments/${id}`, { title: '排查快递网点' })).json().errors[0].field).toBe('note');
    expect((await city.patch(`/deployments/${id}`, { title: '排查快递网点', note: '无' })).statusCode).toBe(422);
    expect(
      (await city.patch(`/deployments/${id}`, { dueAt: new Date(Date.now() - DAY).toISOString(), note: '提前' })).json()
        .errors[0].field,
    ).toBe('dueAt');
    expect(
      (await countyA.patch(`/deployments/${sub}`, { dueAt: new Date(due.getTime() + DAY).toISOString(), note: '延期' }))
        .statusCode,
    ).toBe(422);

    const later = new Date(due.getTime() + 2 * DAY);
    await ok(
      city.patch(`/deployments/${id}`, {
        title: '排查快递网点和驿站',
        body: '请于周五前排查完毕',
        dueAt: later.toISOString(),
        note: '延长两天',
      }),
      204,
    );
    const seen = await ok(countyA.get(`/deployments/${id}`));
    expect(seen).toMatchObject({ body: '请于周五前排查完毕', dueAt: later.toISOString() });
    const trail = await ok(countyA.get(`/deployment-targets/${ta}`));
    expect(trail.events.find((e: { action: string }) => e.action === 'update').note).toMatch(
      /^修改了标题、正文、截止时间（改为 .+）。说明：延长两天$/,
    );
    // The station working the part passed down reads the city's task by its corrected title, not the one it had when passed down.
    expect((await ok(stA1.get(`/deployments/${sub}`))).parent.title).toBe('排查快递网点和驿站');
    // The text changed: every node is told, the one that replied to the old text too; the station working
    // the part passed down is told the task above changed (its own part did not).
    const told = async (c: Client, prefix: string) =>
      (await ok(c.get('/notifications'))).items.some((n: { title: string }) => n.title.startsWith(prefix));
    expect(await told(countyA, '工作任务已修改')).toBe(true);
    expect(await told(countyB, '工作任务已修改')).toBe(true);
    expect(await told(stA1, '工作任务已修改')).toBe(false);
    expect(await told(stA1, '上级任务已修改')).toBe(true);

    // Brought forward before the part passed down ends: the part ends with it, the station told.
    const sooner = new Date(due.getTime() - 2 * DAY);
    await ok(city.patch(`/deployments/${id}`, { dueAt: sooner.toISOString(), note: '提前收集' }), 204);
    expect(await ok(stA1.get(`/deployments/${sub}`))).toMatchObject({ dueAt: sooner.toISOString() });
    expect(await told(stA1, '工作任务已修改')).toBe(true);
    const forward = await t.db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'deployment.update')
      .where('object_id', '=', String(id))
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(forward.detail).toMatchObject({ broughtForward: [sub] });

    // Withdrawn: closed for every node, the part passed down too; each told; no more receipts, replies or changes.
    expect((await city.post(`/deployments/${id}/withdraw`, {})).json().errors[0].field).toBe('reason');
    await ok(city.post(`/deployments/${id}/withdraw`, { reason: '并入年度专项' }), 204);
    expect((await ok(countyA.get(`/deployments/${id}`))).closedReason).toBe('下发单位撤回：并入年度专项');
    const part = await ok(stA1.get(`/deployments/${sub}`));
    expect(part.closedReason).toBe('上级任务已撤回：并入年度专项');
    expect((await stA1.post(`/deployment-targets/${part.own.id}/receive`)).statusCode).toBe(409);
    // Nor files, on it or on a reply.
    expect((await upload(city, 'deployment', id, '补充通知.pdf', PDF)).statusCode).toBe(409);
    expect((await upload(countyA, 'deployment_target', ta, '排查表.pdf', PDF)).statusCode).toBe(409);
    expect(await told(stA1, '工作任务已撤回')).toBe(true);
    expect(await told(countyB, '工作任务已撤回')).toBe(true);
    expect((await city.patch(`/deployments/${id}`, { title: '再改', note: 'x' })).statusCode).toBe(409);
    expect((await city.post(`/deployments/${id}/withdraw`, { reason: '再撤' })).statusCode).toBe(409);
    // Nor is a withdrawn task passed on: the stations would get work the city has called off.
    const again = await countyA.post('/deployments', {
      kind: 'task',
      title: '排查快递网点（玄武，补派）',
      body: '各所排查',
      dueAt: sooner.toISOString(),
      targets: [A2],
      parentTargetId: ta,
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().detail).toBe('上级任务已撤销（下发单位撤回：并入年度专项），不能再转派');
    const audit = await t.db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'deployment.withdraw')
      .where('object_id', '=', String(id))
      .executeTakeFirstOrThrow();
    expect(audit.detail).toMatchObject({ reason: '并入年度专项', closed: [id, sub] });
    // Nothing is deleted: the reply stands on the board.
    expect((await ok(city.get(`/deployments/${id}/board`))).counts).toMatchObject({ total: 2, done: 1 });
  });

  it("a ledger record's task is changed or cancelled in its ledger, not here", async () => {
    const id = (
      await ok<{ id: number }>(
        city.post('/deployments', { kind: 'notice', title: '走访计划', body: 'x', targets: [A] }),
        201,
      )
    ).id;
    await t.db
      .updateTable('deployment')
      .set({ source_type: 'visit_plan', source_key: 'probe', source_path: '/visits' })
      .where('id', '=', id)
      .execute();
    const res = await city.post(`/deployments/${id}/withdraw`, { reason: '取消' });
    expect(res.statusCode).toBe(409);
    expect(res.json().detail).toBe('本任务随走访计划下发，请在走访计划中撤销');
  });

  it("a station opens the city's task its county passed down, read-only with its files; no station outside that chain can", async () => {
    const parentDue = new Date(Date.now() + 6 * DAY);
    const id = (
      await ok<{ id: number }>(
        city.post('/deployments', {
          kind: 'task',
          title: '排查快递网点党员',
          body: '请各区排查辖区快递网点中的党员。',
          dueAt: parentDue.toISOString(),
          targets: [A, B],
        }),
        201,
      )
    ).id;
    const file = await ok(upload(city, 'deployment', id, '排查方案.pdf', PDF), 201);
    const countyTarget = (await ok(countyA.get(`/deployments/${id}`))).own.id as number;
    // Before anything is passed down, no station reads it.
    expect((await stA1.get(`/deployments/${id}`)).statusCode).toBe(404);
    const sub = (
      await ok<{ id: number }>(
        countyA.post('/deployments', {
          kind: 'task',
          title: '排查快递网点党员（第001所）',
          body: '本所排查',
          dueAt: new Date(parentDue.getTime() - DAY).toISOString(),
          targets: [A1],
          parentTargetId: countyTarget,
        }),
        201,
      )
    ).id;
    expect((await ok(stA1.get(`/deployments/${sub}`))).parent.id).toBe(id);
    const up = await ok(stA1.get(`/deployments/${id}`));
    expect(up).toMatchObject({
      title: '排查快递网点党员',
      body: '请各区排查辖区快递网点中的党员。',
      own: null,
      issuedByMe: false,
    });
    expect(up.counts).toBeNull();
    expect(up.attachments.map((a: { fileName: string }) => a.fileName)).toEqual(['排查方案.pdf']);
    expect((await stA1.get(`/attachments/${file.id}/file`)).rawPayload.equals(PDF)).toBe(true);
    // Read-only, and only the task: not the board, the county's row, the other county's, nor a reply or receipt.
    expect((await stA1.get(`/deployments/${id}/board`)).statusCode).toBe(403);
    expect((await stA1.get(`/deployment-targets/${countyTarget}`)).statusCode).toBe(404);
    const countyB = (await ok(city.get(`/deployments/${id}/board`))).targets.find(
      (x: { node: { code: string } }) => x.node.code === B,
    ).id as number;
    expect((await stA1.get(`/deployment-targets/${countyB}`)).statusCode).toBe(404);
    expect((await stA1.post(`/deployment-targets/${countyTarget}/receive`)).statusCode).toBe(404);
    expect((await upload(stA1, 'deployment', id, 'x.pdf', PDF)).statusCode).toBe(403);
    // The received box holds the county's part, not the city's task.
    const inbox = await ok<{ items: { id: number }[] }>(stA1.get('/deployments?box=received'));
    expect(inbox.items.map((i) => i.id)).toContain(sub);
    expect(inbox.items.map((i) => i.id)).not.toContain(id);
    // Stations outside the chain: the sibling the county did not pass it to, and the other county's station.
    for (const other of [stA2, stB1]) {
      expect((await other.get(`/deployments/${id}`)).statusCode).toBe(404);
      expect((await other.get(`/attachments/${file.id}/file`)).statusCode).toBe(404);
      expect((await other.get(`/deployments/${sub}`)).statusCode).toBe(404);
    }
  });

  it("a station's reply is the county's 待办 until the county accepts or returns it; an accepted reply stands", async () => {
    const id = (
      await ok<{ id: number }>(
        countyA.post('/deployments', {
          kind: 'task',
          title: '核对个体工商户党员名单',
          body: '各所核对',
          dueAt: new Date(Date.now() + 4 * DAY).toISOString(),
          levels: ['station'],
        }),
        201,
      )
    ).id;
    const reviewItem = async () =>
      (
        await ok<{ items: { key: string; title: string; detail: string; count: number; link: string }[] }>(
          countyA.get('/workbench?kind=deployment'),
        )
      ).items.find((i) => i.key === `deployment-review:${id}`);
    expect(await reviewItem()).toBeUndefined();
    const own = async (c: Client) => (await ok(c.get(`/deployments/${id}`))).own.id as number;
    const a1 = await own(stA1);
    const a2 = await own(stA2);
    await ok(stA1.post(`/deployment-targets/${a1}/reply`, { text: '已核对，无出入' }));
    await ok(stA2.post(`/deployment-targets/${a2}/reply`, { text: '已核对，补登 1 人' }));
    expect(await reviewItem()).toMatchObject({
      title: '审阅下级回复：核对个体工商户党员名单',
      count: 2,
      link: `/work/${id}`,
    });
    // Only the issuer reviews.
    expect((await stA1.post(`/deployment-targets/${a1}/accept`)).statusCode).toBe(403);
    expect((await stB1.post(`/deployment-targets/${a1}/accept`)).statusCode).toBe(404);
    await ok(countyA.post(`/deployment-targets/${a1}/accept`), 204);
    expect((await countyA.post(`/deployment-targets/${a1}/accept`)).statusCode).toBe(409);
    const accepted = await countyA.post(`/deployment-targets/${a1}/return`, { reason: '再核一遍' });
    expect(accepted.statusCode).toBe(409);
    expect(accepted.json().detail).toBe('回复已采纳，不能再退回');
    expect((await reviewItem())?.count).toBe(1);
    const mine = await ok(stA1.get(`/deployments/${id}`));
    expect(mine.own.acceptedAt).not.toBeNull();
    expect((await ok(stA1.get('/notifications'))).items[0].title).toBe('回复已采纳：核对个体工商户党员名单');
    // A return is a review too: the item goes, and comes back when the station replies again.
    await ok(countyA.post(`/deployment-targets/${a2}/return`, { reason: '请写明补登者所在主体' }), 204);
    expect(await reviewItem()).toBeUndefined();
    await ok(stA2.post(`/deployment-targets/${a2}/reply`, { text: '补登 1 人，在某某便利店' }));
    expect((await reviewItem())?.count).toBe(1);
    const trail = await ok(countyA.get(`/deployment-targets/${a1}`));
    expect(trail.events.map((e: { action: string }) => e.action)).toEqual(['reply', 'accept']);
  });

  it("a notice straight to the stations: the city's board groups them by county, the one with none received yet first", async () => {
    const id = (
      await ok<{ id: number }>(
        city.post('/deployments', { kind: 'notice', title: '所级通知', body: '请签收。', levels: ['station'] }),
        201,
      )
    ).id;
    for (const c of [stA1, stA2])
      await ok(c.post(`/deployment-targets/${(await ok(c.get(`/deployments/${id}`))).own.id}/receive`), 204);
    const stations = await ok(city.get(`/deployments/${id}/board`));
    expect(stations.targets.map((x: { node: { code: string } }) => x.node.code)).toEqual([A1, A2, B1]);
    expect(
      stations.areas.map((a: { code: string; counts: { total: number; done: number } }) => [
        a.code,
        a.counts.total,
        a.counts.done,
      ]),
    ).toEqual([
      [B, 1, 0],
      [A, 2, 2],
    ]);
    await ok(city.post(`/deployments/${id}/withdraw`, { reason: '测试完毕' }), 204);
  });

  it('a unit where nobody may sign or reply is named to the issuer when it sends, and marked on its board', async () => {
    const A3 = '320102003';
    await ledger(t.db).station(A3);
    // A reader only: it sees the notice but may not sign for it.
    await t.user({ roles: ['viewer'], jurisdiction: A3 });
    const sent = await ok<{ id: number; withoutAccount: { code: string; name: string }[] }>(
      city.post('/deployments', { kind: 'notice', title: '所级通知（二）', body: '请签收。', targets: [A1, A3] }),
      201,
    );
    expect(sent.withoutAccount).toEqual([{ code: A3, name: expect.any(String) }]);
    const board = await ok(city.get(`/deployments/${sent.id}/board`));
    expect(
      board.targets.map((x: { node: { code: string }; noAccount: boolean }) => [x.node.code, x.noAccount]),
    ).toEqual([
      [A1, false],
      [A3, true],
    ]);
    await ok(city.post(`/deployments/${sent.id}/withdraw`, { reason: '测试完毕' }), 204);
  });

  it('a change to what was sent reaches whoever already signed or replied (a deadline alone, those not done), and the stations working a part passed down', async () => {
    const bells = async (c: Client, title: string) =>
      (await ok(c.get('/notifications?limit=100'))).items
        .filter((n: { title: string }) => n.title === title)
        .map((n: { body: string }) => n.body);
    // A notice asking for a receipt, straight to the stations: 东一 signs, 东二 not yet.
    const notice = (
      await ok<{ id: number }>(
        city.post('/deployments', {
          kind: 'notice',
          title: '驿站安全提示',
          body: '初稿',
          receiptRequired: true,
          targets: [A1, A2],
        }),
        201,
      )
    ).id;
    await ok(stA1.post(`/deployment-targets/${(await ok(stA1.get(`/deployments/${notice}`))).own.id}/receive`), 204);
    await ok(city.patch(`/deployments/${notice}`, { body: '请检查充电设施', note: '补充检查内容' }), 204);
    // Each station reads the new text; the one that signed the old text is told too.
    for (const c of [stA1, stA2]) expect((await ok(c.get(`/deployments/${notice}`))).body).toBe('请检查充电设施');
    expect(await bells(stA1, '通知已修改：驿站安全提示')).toEqual(['修改了正文。说明：补充检查内容']);
    expect(await bells(stA2, '通知已修改：驿站安全提示')).toHaveLength(1);

    // A task: county B replies, county A passes a part down to 东一 and has not replied.
    const due = new Date(Date.now() + 8 * DAY);
    const task = (
      await ok<{ id: number }>(
        city.post('/deployments', {
          kind: 'task',
          title: '摸排网约配送站点',
          body: '初稿',
          dueAt: due.toISOString(),
          targets: [A, B],
        }),
        201,
      )
    ).id;
    const own = async (c: Client) => (await ok(c.get(`/deployments/${task}`))).own.id as number;
    await ok(countyB.post(`/deployment-targets/${await own(countyB)}/reply`, { text: '已摸排 3 个' }));
    const part = (
      await ok<{ id: number }>(
        countyA.post('/deployments', {
          kind: 'task',
          title: '摸排网约配送站点（玄武）',
          body: '各所摸排',
          dueAt: new Date(due.getTime() - DAY).toISOString(),
          targets: [A1],
          parentTargetId: await own(countyA),
        }),
        201,
      )
    ).id;
    // A later deadline only: those not done are told; county B, done, is not; the station's part keeps its own deadline.
    await ok(
      city.patch(`/deployments/${task}`, { dueAt: new Date(due.getTime() + DAY).toISOString(), note: '延期一天' }),
      204,
    );
    expect(await bells(countyA, '工作任务已修改：摸排网约配送站点')).toHaveLength(1);
    expect(await bells(countyB, '工作任务已修改：摸排网约配送站点')).toEqual([]);
    expect(await bells(stA1, '上级任务已修改：摸排网约配送站点')).toEqual([]);
    // The text changes: county B, which replied to the old text, is told; so is the station working the part passed down,
    // which reads the city's task as it now stands.
    await ok(city.patch(`/deployments/${task}`, { body: '摸排站点及骑手人数', note: '增加骑手人数' }), 204);
    expect(await bells(countyA, '工作任务已修改：摸排网约配送站点')).toHaveLength(2);
    expect(await bells(countyB, '工作任务已修改：摸排网约配送站点')).toEqual(['修改了正文。说明：增加骑手人数']);
    const told = await bells(stA1, '上级任务已修改：摸排网约配送站点');
    expect(told).toEqual([expect.stringContaining('修改了正文。说明：增加骑手人数')]);
    const seen = await ok(stA1.get(`/deployments/${part}`));
    expect((await ok(stA1.get(`/deployments/${seen.parent.id}`))).body).toBe('摸排站点及骑手人数');
    await ok(city.post(`/deployments/${task}/withdraw`, { reason: '测试完毕' }), 204);
    await ok(city.post(`/deployments/${notice}/withdraw`, { reason: '测试完毕' }), 204);
  });
});
