import type { FastifyInstance } from 'fastify';
import { badRequest } from './errors.js';

/**
 * How deep a JSON body may nest. No request of XGZ comes near it (a few levels), and text-guard.ts
 * looks at every string down to this depth. V8 parses deeply nested JSON slowly: a 1 MB body of
 * nested brackets held the event loop for about a second, for anyone, signed in or not, at
 * /auth/login (round-7 probe).
 */
export const MAX_JSON_DEPTH = 20;
/**
 * How many members and elements a JSON body may hold, counted together by the commas that part
 * them (a body of n commas holds a few more than n). The largest request of
 * XGZ is a task sent to 2,000 nodes; a body of 80,000 keys (670 KB, under the size limit) took
 * about half a second of the event loop to parse, check and refuse, signed in or not (round-9 probe).
 */
export const MAX_JSON_MEMBERS = 10_000;

/**
 * What is wrong with a JSON text's shape, read in one pass before it is parsed (brackets and
 * commas inside strings do not count): nested deeper than `depth`, or `members` commas or more
 * between members and elements, at all levels together; null when neither.
 */
export function jsonShapeProblem(text: string, limits: { depth: number; members: number }): 'depth' | 'members' | null {
  let depth = 0;
  let commas = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // a backslash escapes the next character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > limits.depth) return 'depth';
    } else if (c === 93 || c === 125) depth--;
    else if (c === 44 && ++commas >= limits.members) return 'members';
  }
  return null;
}

/** Fastify's own JSON parser (prototype poisoning refused), behind the shape check. */
export function installJsonParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const problem = jsonShapeProblem(body as string, { depth: MAX_JSON_DEPTH, members: MAX_JSON_MEMBERS });
    if (problem === 'depth')
      return done(
        badRequest(`请求体嵌套超过 ${MAX_JSON_DEPTH} 层`, [{ field: '(body)', message: '嵌套过深' }]),
        undefined,
      );
    if (problem === 'members')
      return done(
        badRequest(`请求体的字段与数组元素合计超过 ${MAX_JSON_MEMBERS} 个`, [{ field: '(body)', message: '内容过多' }]),
        undefined,
      );
    void parse(req, body as string, done);
  });
}
