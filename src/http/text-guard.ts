import type { FastifyInstance } from 'fastify';
import { badRequest, type FieldError } from './errors.js';
import { MAX_JSON_DEPTH } from './json-body.js';
import {
  CONTROL_CHARACTERS,
  DIRECTION_CONTROLS,
  mixedScriptReason,
  shownForm,
} from '../domain/identifiers/free-text.js';

/**
 * Text the database cannot store — a NUL character, or half of a UTF-16 surrogate pair —,
 * invisible direction controls and other control characters are refused at the door with 400 naming the field, before any schema or query sees it (PostgreSQL
 * rejects NUL in text, which used to surface as a 500). One hook for every route: the query
 * string, the path parameters and the JSON body, at any depth. Invisible characters that change
 * nothing shown (zero-width space and the like) are taken out first. A word mixing Latin letters with
 * Cyrillic look-alikes is refused too (round 14), but in a secret, which is compared as typed.
 */
// eslint-disable-next-line no-control-regex
const INVALID = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A secret is compared as typed: an invisible character in it is kept (and a password set before this rule still works). */
const SECRET_KEY = /password|token|secret/i;

function findInvalid(value: unknown, at: string, out: FieldError[], depth = 0): void {
  if (out.length >= 5 || depth > MAX_JSON_DEPTH) return; // a deeper body is refused by the parser
  if (typeof value === 'string') {
    if (INVALID.test(value))
      out.push({
        field: at || '(整体)',
        message: value.includes('\u0000') ? '含有空字符（NUL），请删除后重试' : '含有无效的字符编码，请删除后重试',
      });
    else if (DIRECTION_CONTROLS.test(value))
      out.push({ field: at || '(整体)', message: '含有改变文字显示方向的不可见控制字符，请删除后重试' });
    else if (CONTROL_CHARACTERS.test(value))
      out.push({ field: at || '(整体)', message: '含有不可见的控制字符（如换页、退格、转义符），请删除后重试' });
    else if (!SECRET_KEY.test(at.slice(at.lastIndexOf('.') + 1))) {
      const mixed = mixedScriptReason(value);
      if (mixed) out.push({ field: at || '(整体)', message: mixed });
    }
    return;
  }
  if (Array.isArray(value)) value.forEach((v, i) => findInvalid(v, at ? `${at}.${i}` : String(i), out, depth + 1));
  else if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const [k, v] of Object.entries(value)) {
      findInvalid(k, at ? `${at}.${k}` : k, out, depth + 1);
      findInvalid(v, at ? `${at}.${k}` : k, out, depth + 1);
    }
  }
}

/**
 * Takes the invisible characters (domain/identifiers/free-text.ts, INVISIBLE_FORMAT) out of every
 * string value in place, at any depth, but a secret's, and puts it in the one form it is compared
 * in (shownForm: composed, a Kangxi radical as its ideograph): what is saved is what was shown, and
 * "新街口\u200b步行街" is 新街口步行街 (round 11), "新街⼝步行街" too (round 15).
 */
function stripInvisible(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return shownForm(value);
  if (depth > MAX_JSON_DEPTH || !value || typeof value !== 'object' || Buffer.isBuffer(value)) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = stripInvisible(value[i], depth + 1);
    return value;
  }
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!SECRET_KEY.test(k)) o[k] = stripInvisible(o[k], depth + 1);
  return value;
}

export function installTextGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (req) => {
    req.query = stripInvisible(req.query);
    req.params = stripInvisible(req.params);
    req.body = stripInvisible(req.body);
    const errors: FieldError[] = [];
    const parts = [
      ['查询参数', req.query],
      ['路径参数', req.params],
      ['请求体', req.body],
    ] as const;
    for (const [where, value] of parts) {
      const before = errors.length;
      findInvalid(value, '', errors);
      if (errors.length > before)
        throw badRequest(
          `${where}含有无法保存的字符：${errors.map((e) => `${e.field} ${e.message}`).join('；')}`,
          errors,
        );
    }
  });
}
