import { z } from 'zod';
import { EXIT_CAUSE_LABEL, EXIT_STATE_LABEL } from '../../domain/exit/exit.js';
import { codesOf, endpoint, idParam, timestamp, type ResponseOf } from '../../http/contract.js';

/** Exit reviews (退出复核), shared with the web (pure). */
export const exitReview = z.object({
  id: z.number(),
  entityId: z.number(),
  entityName: z.string(),
  cause: codesOf(EXIT_CAUSE_LABEL),
  causeLabel: z.string(),
  /** Why, for staff (the public page shows only 暂停公示). */
  reason: z.string(),
  state: codesOf(EXIT_STATE_LABEL),
  stateLabel: z.string(),
  suspends: z.boolean(),
  openedAt: timestamp,
  clearedAt: timestamp.nullable(),
  reviewedAt: timestamp.nullable(),
  reviewNote: z.string().nullable(),
  closedAt: timestamp.nullable(),
  closeNote: z.string().nullable(),
  actions: z.array(z.enum(['review', 'lift'])),
  /** What was done automatically, in order. */
  effects: z.array(
    z.object({
      effect: z.string(),
      label: z.string(),
      objectType: z.string(),
      objectId: z.number(),
      /** What a clerk knows the object by (a plaque's number, XGZ-320102-000001), where it has one. */
      objectLabel: z.string().nullable(),
      at: timestamp,
    }),
  ),
});
/** An exit review as the server builds it (moments as Dates). */
export type ExitReview = z.output<typeof exitReview>;

const exitFilters = {
  state: z.enum(['live', 'open', 'reviewed', 'lift_pending', 'closed']).default('live'),
};

export const listExitReviews = endpoint({
  method: 'GET',
  path: '/exit-reviews',
  summary: '退出复核：注销、吊销、列入经营异常名录或严重违法失信名单的主体（牌匾暂停公示、荣誉与联系点待复核）',
  query: z.strictObject({ ...exitFilters, entityId: z.coerce.number().int().positive().optional() }),
  response: z.object({ items: z.array(exitReview) }),
});

/** The list shows the latest LIST_LIMIT; the export every review the state selects (audited). */
export const EXIT_LIST_LIMIT = 200;
export const exportExitReviews = { path: '/exit-reviews/export', query: z.strictObject(exitFilters) } as const;

const note = z.strictObject({
  note: z.string().trim().min(2, '请填写复核意见（至少 2 个字）').max(500, '复核意见不超过 500 字'),
});

export const reviewExit = endpoint({
  method: 'POST',
  path: '/exit-reviews/:id/review',
  summary: '复核（原因仍在时：记录复核意见，牌匾继续暂停公示）',
  params: idParam,
  body: note,
  response: exitReview,
});

export const liftExit = endpoint({
  method: 'POST',
  path: '/exit-reviews/:id/lift',
  summary: '确认恢复公示（已移出名单或登记状态恢复后）：牌匾恢复有效，联系点解除标记',
  params: idParam,
  body: note,
  response: exitReview,
});

/** An exit review as the web reads it. */
export type ExitReviewRow = ResponseOf<typeof listExitReviews>['items'][number];
