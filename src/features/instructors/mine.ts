import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { schemaOf } from '../../http/contract.js';
import { myInstructorWork } from './contract.js';
import {
  GUIDANCE_KIND_LABEL,
  TARGET_LABEL,
  type AssignmentTarget,
  type GuidanceKind,
} from '../../domain/instructors/instructors.js';
import { notFound } from '../../http/errors.js';
import { boundInstructorOf } from '../../domain/auth/binding.js';
import { myWork } from './queries.js';

/** 我的指导工作: an instructor account's assignments, the entities they reach, its guidance records. */
export async function myInstructorRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(myInstructorWork.path, {
    config: { access: 'guidance.write' },
    schema: { ...schemaOf(myInstructorWork, ['指导员']), response: { 200: myInstructorWork.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const bound = boundInstructorOf(req.user!.bound);
        if (bound === null) return { instructor: null, assignments: [], entities: [], guidance: [] };
        const w = await myWork(db, bound);
        if (!w) throw notFound('指导员');
        return {
          instructor: { id: Number(w.me.id), name: w.me.name, status: w.me.status },
          assignments: w.assignments.map((a) => ({
            id: Number(a.id),
            target: a.target,
            targetLabel: TARGET_LABEL[a.target as AssignmentTarget] ?? a.target,
            name: a.name,
            startOn: a.start_on,
          })),
          entities: w.entities.map((e) => ({ id: Number(e.id), name: e.name, uscc: e.uscc })),
          guidance: w.guidance.map((g) => ({
            id: Number(g.id),
            onDate: g.on_date,
            kind: g.kind,
            kindLabel: GUIDANCE_KIND_LABEL[g.kind as GuidanceKind] ?? g.kind,
            content: g.content,
            target: g.target,
            files: g.files,
          })),
        };
      }),
  });
}
