import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/db.js';
import { testApp, type TestApp } from '../helpers/app.js';

/** A reply the issuer sent back is to do again now: on the 工作台 it ranks with the new items, with the reason. */
describe.each(BACKENDS)('a returned task reply on the workbench on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(backend);
  });
  afterAll(() => t?.close());

  it('is marked new (urgent), not left below the new items', async () => {
    const city = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: '320100' }));
    const county = await t.signIn(await t.user({ roles: ['editor'], jurisdiction: '320102' }));
    const due = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
    const issued = await city.post('/deployments', {
      kind: 'task',
      title: '摸排任务',
      body: '请回复摸排户数',
      receiptRequired: true,
      dueAt: due,
      targets: ['320102'],
      levels: [],
      figures: [],
    });
    expect(issued.statusCode, issued.body).toBe(201);
    const id = issued.json().id as number;
    const own = (await county.get(`/deployments/${id}`)).json().own as { id: number };
    expect((await county.post(`/deployment-targets/${own.id}/reply`, { text: '已完成', links: [] })).statusCode).toBe(
      200,
    );
    expect((await city.post(`/deployment-targets/${own.id}/return`, { reason: '请补充户数' })).statusCode).toBe(204);
    const items = (await county.get('/workbench')).json().items as { key: string; urgency: string; detail: string }[];
    expect(items.find((i) => i.key === `deployment:${own.id}`)).toMatchObject({
      urgency: 'new',
      detail: '退回原因：请补充户数',
    });
  });
});
