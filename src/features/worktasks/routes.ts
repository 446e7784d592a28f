import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { BOARD_LABELS, KIND_LABELS } from '../../domain/worktasks/rules.js';
import { conflict, forbidden, notFound } from '../../http/errors.js';
import { schemaOf } from '../../http/contract.js';
import { idParam } from '../../http/paging.js';
import { sendXlsx } from '../../http/xlsx.js';
import { registerAttachmentOwner } from '../attachments/index.js';
import {
  acceptTarget,
  deploymentList,
  getBoard,
  getDeployment,
  getTarget,
  issueDeployment,
  receiveTarget,
  replyTarget,
  returnTarget,
  reviseDeployment,
  withdrawDeployment,
} from './contract.js';
import {
  boardOf,
  deploymentById,
  deploymentScope,
  detailOf,
  eventsOf,
  listDeployments,
  presentTargets,
  targetById,
  targetScope,
  targetsWithoutAccount,
} from './queries.js';
import { acceptReply, issue, receive, reply, returnReply, revise, runReminders, withdraw } from './service.js';
import { localDateTime } from '../../domain/time/zone.js';

/** The clock the routes read (tests move it; see setClock). */
let clock: () => Date = () => new Date();
/** For tests: the time every route of this feature takes as "now" (reset with no argument). */
export function setClock(fn?: () => Date): void {
  clock = fn ?? (() => new Date());
}

// Files on a notice or task: its issuer adds them. Files on a reply: the receiving node adds them until it has replied.
registerAttachmentOwner('deployment', {
  label: '通知/任务',
  async writable(s, id) {
    const d = await deploymentScope(s.db, id);
    if (!d) throw notFound('通知或任务');
    if (d.scope_key !== s.who.scopeKey) throw forbidden('只有下发单位可以为通知或任务添加附件');
    if (d.closed_at) throw conflict('已撤销，不能再添加或删除附件');
    return { scopeKey: d.scope_key };
  },
});
registerAttachmentOwner('deployment_target', {
  label: '回复',
  async writable(s, id) {
    const t = await targetScope(s.db, id);
    if (!t) throw notFound('任务或通知');
    if (t.scope_key !== s.who.scopeKey) throw forbidden('只有接收单位可以为回复添加附件');
    if (t.closed_at) throw conflict('已撤销，不能再添加或删除附件');
    if (t.state === 'replied') throw forbidden('已回复，上级退回后才能修改附件');
    return { scopeKey: t.scope_key };
  },
});

const REMIND_EVERY_MS = 60 * 60 * 1000;
const TAGS = ['工作任务'];

/** 工作任务 · 通知: issue down the tree, receive and reply (or pass down), the issuer's live board, return, export. */
export async function workTaskRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  // Reminders before the deadline and overdue marks after it, hourly while the server runs.
  let timer: NodeJS.Timeout | null = null;
  app.addHook('onReady', async () => {
    if (!app.housekeeping) return;
    timer = setInterval(
      () =>
        void runReminders(app.ctx.db, clock()).catch((err) => app.log.error({ err }, 'deployment reminders failed')),
      REMIND_EVERY_MS,
    );
    timer.unref();
  });
  app.addHook('onClose', async () => void (timer && clearInterval(timer)));

  r.post(issueDeployment.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(issueDeployment, TAGS),
      body: issueDeployment.body,
      response: { 201: issueDeployment.response },
    },
    handler: async (req, reply) => {
      const issued = await req.scoped(async (s) => {
        const id = await issue(s, req.user!, req.body, clock());
        return { id, withoutAccount: await targetsWithoutAccount(s.db, id) };
      });
      return reply.code(201).send(issued);
    },
  });

  r.patch(reviseDeployment.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(reviseDeployment, TAGS),
      params: reviseDeployment.params,
      body: reviseDeployment.body,
      response: { 204: reviseDeployment.response },
    },
    handler: async (req, reply) => {
      await req.scoped((s) => revise(s, req.user!, req.params.id, req.body, clock()));
      return reply.code(204).send(null);
    },
  });

  r.post(withdrawDeployment.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(withdrawDeployment, TAGS),
      params: withdrawDeployment.params,
      body: withdrawDeployment.body,
      response: { 204: withdrawDeployment.response },
    },
    handler: async (req, reply) => {
      await req.scoped((s) => withdraw(s, req.user!, req.params.id, req.body.reason, clock()));
      return reply.code(204).send(null);
    },
  });

  r.get(deploymentList.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(deploymentList, TAGS),
      querystring: deploymentList.query,
      response: { 200: deploymentList.response },
    },
    handler: (req) => req.scoped(({ db }) => listDeployments(db, req.user!, req.query, clock())),
  });

  r.get(getDeployment.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(getDeployment, TAGS),
      params: getDeployment.params,
      response: { 200: getDeployment.response },
    },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const d = await deploymentById(db, req.params.id);
        if (!d) throw notFound('通知或任务');
        return detailOf(db, d, req.user!, clock());
      }),
  });

  const boardFor = (req: { user: { scopeKey: string } | null }, d: { scope_key: string } | undefined) => {
    if (!d) throw notFound('通知或任务');
    if (!d.scope_key.startsWith(req.user!.scopeKey)) throw forbidden('只有下发单位及其上级可以查看办理情况');
  };

  r.get(getBoard.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(getBoard, TAGS), params: getBoard.params, response: { 200: getBoard.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const d = await deploymentById(db, req.params.id);
        boardFor(req, d);
        return boardOf(db, d!, clock());
      }),
  });

  r.get('/deployments/:id/board.xlsx', {
    config: { access: 'data.read' },
    schema: { tags: ['工作任务'], summary: '导出办理情况（Excel；留痕）', params: idParam },
    handler: async (req, reply) => {
      const b = await req.scoped(async ({ db, audit }) => {
        const d = await deploymentById(db, req.params.id);
        boardFor(req, d);
        const out = await boardOf(db, d!, clock());
        audit({
          action: 'deployment.export',
          objectType: 'deployment',
          objectId: d!.id,
          detail: { rows: out.targets.length },
        });
        const asked = (typeof d!.figures === 'string' ? JSON.parse(d!.figures) : d!.figures) as {
          key: string;
          label: string;
        }[];
        return { ...out, kindLabel: KIND_LABELS[d!.kind], labels: new Map(asked.map((f) => [f.key, f.label])) };
      });
      return sendXlsx(
        reply,
        `${b.kindLabel}办理情况-${b.id}.xlsx`,
        '办理情况',
        [
          { header: '单位', width: 24, value: (t) => t.node.name },
          { header: '代码', width: 12, value: (t) => t.node.code },
          { header: '状态', width: 14, value: (t) => BOARD_LABELS[t.status] },
          { header: '签收时间', width: 20, value: (t) => localDateTime(t.receivedAt) },
          { header: '回复时间', width: 20, value: (t) => localDateTime(t.repliedAt) },
          { header: '逾期回复', width: 10, value: (t) => (t.late ? '是' : '') },
          { header: '办理情况', width: 40, value: (t) => t.replyText ?? '' },
          {
            header: '填报数字',
            width: 24,
            value: (t) =>
              t.replyFigures
                ? Object.entries(t.replyFigures)
                    .map(([k, v]) => `${b.labels.get(k) ?? k} ${v}`)
                    .join('；')
                : '',
          },
          { header: '附件', width: 24, value: (t) => t.attachments.map((a) => a.fileName).join('；') },
          { header: '退回原因', width: 24, value: (t) => t.returnReason ?? '' },
          {
            header: '已转派下级',
            width: 14,
            value: (t) => t.passedDown.map((p) => `${p.counts.done}/${p.counts.total}`).join('；'),
          },
        ],
        b.targets,
      );
    },
  });

  r.get(getTarget.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(getTarget, TAGS), params: getTarget.params, response: { 200: getTarget.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const t = await targetById(db, req.params.id);
        if (!t) throw notFound('任务或通知');
        const d = (await deploymentById(db, Number(t.deployment_id)))!;
        const [shown] = await presentTargets(db, d, [t], clock());
        return { ...shown, events: await eventsOf(db, t.id) };
      }),
  });

  r.post(receiveTarget.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(receiveTarget, TAGS),
      params: receiveTarget.params,
      response: { 204: receiveTarget.response },
    },
    handler: async (req, reply) => {
      await req.scoped((s) => receive(s, req.user!, req.params.id, clock()));
      return reply.code(204).send(null);
    },
  });

  r.post(replyTarget.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(replyTarget, TAGS),
      params: replyTarget.params,
      body: replyTarget.body,
      response: { 200: replyTarget.response },
    },
    handler: (req) => req.scoped((s) => reply(s, req.user!, req.params.id, req.body, clock())),
  });

  r.post(returnTarget.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(returnTarget, TAGS),
      params: returnTarget.params,
      body: returnTarget.body,
      response: { 204: returnTarget.response },
    },
    handler: async (req, reply) => {
      await req.scoped((s) => returnReply(s, req.user!, req.params.id, req.body.reason, clock()));
      return reply.code(204).send(null);
    },
  });

  r.post(acceptTarget.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(acceptTarget, TAGS),
      params: acceptTarget.params,
      response: { 204: acceptTarget.response },
    },
    handler: async (req, reply) => {
      await req.scoped((s) => acceptReply(s, req.user!, req.params.id, clock()));
      return reply.code(204).send(null);
    },
  });
}
