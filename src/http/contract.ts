import { z } from 'zod';

/**
 * Request and response schemas every feature shares (pure: zod only, no I/O), so the web may import
 * them too. A feature's own schemas live in its contract.ts.
 */

/** The `under` query of lists and figures: a node of the caller's subtree by code. */
export const underQuery = z
  .string()
  .regex(/^\d{6,9}$/, '辖区代码应为 6 或 9 位数字')
  .optional();

/**
 * A moment in a response: the handler returns a Date, the wire carries its ISO string (the serializer
 * encodes with the schema), so the web's type says string, as the JSON does.
 */
export const timestamp = z.codec(z.string(), z.date(), { decode: (s) => new Date(s), encode: (d) => d.toISOString() });

export const date = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD')
  // 2026-02-30 has the form but is no day (the database would refuse it with a 500).
  .refine((v) => {
    const d = new Date(`${v}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(v);
  }, '日期无效（没有这一天）');
/**
 * A query parameter naming one or more values of `item`: comma-separated (?state=open,contacted, as
 * the web's withQuery writes a list and as a link carries it) or repeated (?state=open&state=contacted).
 */
export const manyOf = <T extends z.ZodType<unknown, string>>(item: T) =>
  z.array(item).or(
    z
      .string()
      .transform((v) => v.split(',').filter(Boolean))
      .pipe(z.array(item)),
  );
export const year = z.coerce.number().int().min(2000, '年度不早于 2000 年').max(2100, '年度不晚于 2100 年');

/** One line of a record's change history (ledger_history): when, insert/update/delete, by whom. Features extend it with what changed. */
export const historyLine = z.object({ at: timestamp, op: z.enum(['I', 'U', 'D']), actor: z.string() });
/** A history line as the web reads it (the moment as its ISO string). */
export type HistoryLine = z.input<typeof historyLine>;

/** A jurisdiction node as figures name it. */
export const place = z.object({ code: z.string(), name: z.string(), level: z.string() });
export type Place = z.infer<typeof place>;

/**
 * The subtree figures every ledger offers: the node, its total and each child's figures (drill down
 * by clicking a child). Features extend it with what else they report (own, unassigned, splits).
 */
export const subtreeFigures = <S extends z.ZodRawShape>(figures: z.ZodObject<S>) =>
  z.object({ node: place, total: figures, children: z.array(z.object({ ...figures.shape, ...place.shape })) });

/** Query fields every list accepts. */
export const pageQuery = {
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
};

/** A code path parameter: digits only, so it cannot smuggle anything into a query or a log. */
export const codeParam = z.strictObject({ code: z.string().regex(/^\d{6,9}$/, '辖区代码应为 6 或 9 位数字') });
export const idParam = z.strictObject({ id: z.coerce.number().int().positive('编号应为正整数') });
/** A part of a record by its own id (`/orgs/:id/members/:key`): both positive integers. */
export const idKeyParam = z.strictObject({
  id: z.coerce.number().int().positive('编号应为正整数'),
  key: z.coerce.number().int().positive('编号应为正整数'),
});

/**
 * A domain label map's codes as a zod enum (`codesOf(HONOUR_STATE_LABEL)`), so the codes are listed
 * once, in the domain, and the web's lookups in the same map type-check. `message` is the Chinese
 * error a request gets when it names none of them.
 */
export const codesOf = <K extends string>(labels: Record<K, string>, message?: string) =>
  z.enum(Object.keys(labels) as [K, ...K[]], message);

/** One page of a list. */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), total: z.number(), page: z.number(), pageSize: z.number() });

/**
 * A PATCH body made from a create body: every field optional and none filled in. zod's partial()
 * keeps a field's default, so a change naming one field set the others that have a default:
 * PATCH /stations/:code {name} emptied the station's served areas, PATCH /service-posts/:id
 * {active: false} its service offers (round 15). The fields are the create body's, defaults taken off.
 */
export const patchOf = <S extends z.ZodRawShape>(body: z.ZodObject<S>) =>
  z
    .strictObject(
      Object.fromEntries(
        Object.entries(body.shape).map(([k, v]) => [k, v instanceof z.ZodDefault ? v.unwrap() : v]),
      ) as S,
    )
    .partial();

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/**
 * One route's contract: method, path (`:name` for path parameters) and zod schemas. The server
 * registers the route with them (`r.route(...)` or `r.get(e.path, { schema: schemaOf(e) })`), the
 * web calls it with `call(e, …)` (web/src/api.ts), so both read the same shapes.
 */
export type Endpoint = {
  method: Method;
  path: string;
  summary: string;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  status?: 200 | 201 | 202 | 204;
  response: z.ZodType;
};
export const endpoint = <const E extends Endpoint>(e: E): E => e;

/** What the web receives: the response as it is on the wire (the schema's input side; a timestamp is a string there). */
export type ResponseOf<E extends Endpoint> = z.input<E['response']>;
export type QueryOf<E extends Endpoint> = E['query'] extends z.ZodType ? z.input<E['query']> : never;
export type BodyOf<E extends Endpoint> = E['body'] extends z.ZodType ? z.input<E['body']> : never;
export type ParamsOf<E extends Endpoint> = E['params'] extends z.ZodType ? z.input<E['params']> : never;
/** The item type of a paged list endpoint. */
export type ItemOf<E extends Endpoint> = ResponseOf<E> extends { items: (infer T)[] } ? T : never;

/** The Fastify schema of an endpoint (tags name its group in the API docs). */
export const schemaOf = (e: Endpoint, tags: string[]) => ({
  tags,
  summary: e.summary,
  ...(e.params ? { params: e.params } : {}),
  ...(e.query ? { querystring: e.query } : {}),
  ...(e.body ? { body: e.body } : {}),
  response: { [e.status ?? 200]: e.response },
});

/** A file attached to a record (the attachments feature serves it; tasks, replies, assessment items list it). */
export const attachment = z.object({
  id: z.number(),
  ownerType: z.string(),
  ownerId: z.number(),
  fileName: z.string(),
  mediaType: z.string(),
  sizeBytes: z.number(),
  uploadedByName: z.string(),
  createdAt: z.string(),
});
export type Attachment = z.infer<typeof attachment>;
