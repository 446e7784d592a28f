import { sql } from 'kysely';
import { boundInstructorOf } from '../../../domain/auth/binding.js';
import type { TodoSource } from './types.js';

/**
 * An instructor's own follow-ups (后续事项) not yet done: what its last visits left to do. Only
 * for an account bound to an instructor record (row-level security narrows the records to its own).
 */
export const guidanceTodos: TodoSource<{ n: number; first: string | null }> = {
  kind: 'guidance',
  label: '指导跟进',
  permission: 'guidance.write',
  select: (c) => {
    const instructorId = boundInstructorOf(c.bound);
    if (instructorId === null) return null;
    return sql`(SELECT json_build_object('n', count(*), 'first', min(on_date)::text) FROM guidance_record
      WHERE instructor_id = ${instructorId} AND follow_up IS NOT NULL AND NOT follow_up_done)`;
  },
  items: (r) =>
    !r.n
      ? []
      : [
          {
            key: 'guidance:follow-up',
            kind: 'guidance',
            kindLabel: '指导跟进',
            title: `走访后待跟进的事项 ${r.n} 项`,
            detail: `最早一项登记于 ${r.first}；办完后在指导记录中点"标记办结"`,
            count: r.n,
            dueAt: null,
            urgency: 'normal',
            link: '/instructors?tab=guidance&followUp=open',
          },
        ],
};
