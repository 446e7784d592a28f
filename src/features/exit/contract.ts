import { z } from 'zod';

/** Shapes of exit reviews and credit listings (pure: the web imports them). */
export const exitReviewState = z.enum(['open', 'reviewed', 'lift_pending', 'closed']);
export const exitReview = z.object({
  id: z.number(),
  entityId: z.number(),
  entityName: z.string(),
  cause: z.enum(['deregistered', 'revoked', 'abnormal', 'untrustworthy']),
  causeLabel: z.string(),
  /** Why, for staff (the public page shows only 暂停公示). */
  reason: z.string(),
  state: exitReviewState,
  stateLabel: z.string(),
  suspends: z.boolean(),
  openedAt: z.date(),
  clearedAt: z.date().nullable(),
  reviewedAt: z.date().nullable(),
  reviewNote: z.string().nullable(),
  closedAt: z.date().nullable(),
  closeNote: z.string().nullable(),
  actions: z.array(z.enum(['review', 'lift'])),
  /** What was done automatically, in order. */
  effects: z.array(z.object({ effect: z.string(), label: z.string(), objectType: z.string(), objectId: z.number(), at: z.date() })),
});
export type ExitReview = z.infer<typeof exitReview>;
export const exitReviewQuery = z.strictObject({
  state: z.enum(['live', 'open', 'reviewed', 'lift_pending', 'closed']).default('live'),
  entityId: z.coerce.number().int().positive().optional(),
});
export const exitNoteBody = z.strictObject({ note: z.string().trim().min(2, '请填写复核意见（至少 2 个字）').max(500, '复核意见不超过 500 字') });

export const creditListing = z.object({
  id: z.number(),
  list: z.enum(['abnormal', 'untrustworthy']),
  listLabel: z.string(),
  listedOn: z.string(),
  listedReason: z.string(),
  listedAuthority: z.string().nullable(),
  removedOn: z.string().nullable(),
  removedReason: z.string().nullable(),
  removedAuthority: z.string().nullable(),
});
