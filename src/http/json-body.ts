import type { FastifyInstance } from 'fastify';
import { badRequest } from './errors.js';

/**
 * How deep a JSON body may nest. No request of XGZ comes near it (a few levels), and text-guard.ts
 * looks at every string down to this depth. V8 parses deeply nested JSON slowly: a 1 MB body of
 * nested brackets held the event loop for about a second, for anyone, signed in or not, at
 * /auth/login (round-7 probe). The depth is counted in one pass over the text before parsing.
 */
export const MAX_JSON_DEPTH = 20;

/** Whether a JSON text nests arrays or objects more than `limit` deep (brackets inside strings do not count). */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // a backslash escapes the next character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > limit) return true;
    } else if (c === 93 || c === 125) depth--;
  }
  return false;
}

/** Fastify's own JSON parser (prototype poisoning refused), behind the depth check. */
export function installJsonParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (nestsDeeperThan(body as string, MAX_JSON_DEPTH))
      return done(
        badRequest(`请求体嵌套超过 ${MAX_JSON_DEPTH} 层`, [{ field: '(body)', message: '嵌套过深' }]),
        undefined,
      );
    void parse(req, body as string, done);
  });
}
