import { z } from 'zod';

/** Query fields every list accepts. */
export const pageQuery = {
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
};

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), total: z.number(), page: z.number(), pageSize: z.number() });

export const offsetOf = (q: { page: number; pageSize: number }) => (q.page - 1) * q.pageSize;

/** A code path parameter: digits only, so it cannot smuggle anything into a query or a log. */
export const codeParam = z.strictObject({ code: z.string().regex(/^\d{6,9}$/, '辖区代码应为 6 或 9 位数字') });
export const idParam = z.strictObject({ id: z.coerce.number().int().positive('编号应为正整数') });
