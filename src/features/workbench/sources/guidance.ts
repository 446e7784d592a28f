import { sql } from 'kysely';
import { boundInstructorOf } from '../../../domain/auth/binding.js';
import type { TodoSource } from './types.js';

/** Open follow-ups: how many, since when, and whether they are an instructor's own or left by instructors stood down. */
type Open = { n: number; first: string | null; left: boolean };

/**
 * Follow-ups (后续事项) not yet done: for an account bound to an instructor record, what its own
 * last visits left to do (row-level security narrows the records to its own); for the unit's other
 * accounts, those left by the instructors based at its node who have been stood down (停用): nobody's
 * list held them any more, so the unit that keeps the instructors sees them through (done, or taken
 * on by another instructor's visit).
 */
export const guidanceTodos: TodoSource<Open> = {
  kind: 'guidance',
  label: '指导跟进',
  permission: 'guidance.write',
  select: (c) => {
    const instructorId = boundInstructorOf(c.bound);
    if (instructorId !== null)
      return sql`(SELECT json_build_object('n', count(*), 'first', min(on_date)::text, 'left', false) FROM guidance_record
      WHERE instructor_id = ${instructorId} AND follow_up IS NOT NULL AND NOT follow_up_done)`;
    if (c.bound) return null;
    return sql`(SELECT json_build_object('n', count(*), 'first', min(g.on_date)::text, 'left', true) FROM guidance_record g
      JOIN instructor i ON i.id = g.instructor_id
      WHERE i.scope_key = ${c.scopeKey} AND i.status = 'inactive' AND g.follow_up IS NOT NULL AND NOT g.follow_up_done)`;
  },
  items: (r) =>
    !r.n
      ? []
      : [
          {
            key: r.left ? 'guidance:left-open' : 'guidance:follow-up',
            kind: 'guidance',
            kindLabel: '指导跟进',
            title: r.left ? `已停用的指导员留下未办结的后续事项 ${r.n} 项` : `走访后待跟进的事项 ${r.n} 项`,
            detail: `最早一项登记于 ${r.first}；${r.left ? '请安排其他指导员跟进，' : ''}办完后在指导记录中点"标记办结"`,
            count: r.n,
            dueAt: null,
            urgency: 'normal',
            link: '/instructors?tab=guidance&followUp=open',
          },
        ],
};
