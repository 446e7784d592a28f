import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { EDITABLE_LISTS, type EditableList } from '../../domain/recognition/lists.js';
import { forbidden } from '../../http/errors.js';
import { replaceCodeList } from './list-writes.js';

const entries = z
  .array(
    z.strictObject({
      code: z.string().regex(/^[a-z_]{1,40}$/, '代码应为小写字母和下划线'),
      label: z.string().trim().min(2, '名称至少 2 个字').max(30),
    }),
  )
  .max(30, '清单最多 30 项');

/**
 * Editing the configurable lists (honour kinds, point criteria), kept in the dictionary table.
 * Like the deployment settings they apply to the whole deployment: the top node's rules duty edits them.
 */
export async function listRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.put('/code-lists/:kind', {
    config: { access: 'settings.rules' },
    schema: {
      tags: ['设置'],
      summary: '修改荣誉类型、联系点/示范点条件清单（在用的代码不能删除）',
      params: z.strictObject({ kind: z.enum(Object.keys(EDITABLE_LISTS) as [EditableList, ...EditableList[]]) }),
      body: z.strictObject({ entries }),
      response: { 200: z.object({ entries: z.array(z.object({ code: z.string(), label: z.string() })) }) },
    },
    handler: async (req) => {
      if (req.user!.scopeKey !== '') throw forbidden('代码清单作用于整个平台，只能由全国（顶级）辖区的管理员修改');
      const { kind } = req.params;
      const after = req.body.entries;
      return req.scoped(async ({ db, audit }) => {
        const before = await replaceCodeList(db, kind, after);
        audit({
          action: 'code_list.update',
          objectType: 'dictionary',
          objectId: kind,
          detail: { before: [...before].map(([code, label]) => ({ code, label })), after },
        });
        return { entries: after };
      });
    },
  });
}
