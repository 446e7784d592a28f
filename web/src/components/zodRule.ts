import type { Rule } from 'antd/es/form';
import { z } from 'zod';

// The server's messages are zod's Chinese ones (src/server.ts); the form's must be the same.
z.config(z.locales.zhCN());

/**
 * A form rule that checks a field with the schema its route parses (a field of a contract's body:
 * `zodRule(createOrg.body.shape.name)`), so the form refuses what the server would, with the
 * contract's own Chinese message. An empty field passes: `required` says whether one is needed.
 */
export function zodRule(schema: z.ZodType): Rule {
  return {
    validator: async (_: unknown, value: unknown) => {
      if (value === undefined || value === null || value === '') return;
      const r = schema.safeParse(value);
      if (!r.success) throw new Error(r.error.issues[0]?.message ?? '格式不正确');
    },
  };
}
