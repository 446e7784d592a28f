import fs from 'node:fs';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import path from 'node:path';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isConnectionError } from '../db/connection.js';

export type FieldError = { field: string; message: string };

/** An error the client can act on, sent as RFC 9457 problem+json with Chinese text. */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: FieldError[],
    readonly code?: string,
  ) {
    super(detail ?? title);
  }
}

export const badRequest = (detail: string, errors?: FieldError[]) => new Problem(400, '请求有误', detail, errors);
export const unauthorized = (detail = '请先登录', code?: string) =>
  new Problem(401, '未登录或登录已失效', detail, undefined, code);
export const forbidden = (detail = '您没有执行此操作的权限') => new Problem(403, '无权操作', detail);
export const notFound = (what = '记录') => new Problem(404, '未找到', `${what}不存在，或不在您的辖区内`);
export const conflict = (detail: string) => new Problem(409, '数据冲突', detail);

/** Seconds a client is told to wait before retrying while the database is unreachable. */
export const RETRY_AFTER_SECONDS = 5;

/** The answer while the database cannot be reached: nothing was written, the request may be sent again. */
export function sendUnavailable(reply: FastifyReply) {
  return send(reply.header('retry-after', String(RETRY_AFTER_SECONDS)), {
    status: 503,
    title: '服务暂不可用',
    detail: `数据库暂时无法连接，本次操作未执行，请 ${RETRY_AFTER_SECONDS} 秒后重试；如持续出现请联系系统管理员`,
    code: 'database_unavailable',
  });
}

function send(
  reply: FastifyReply,
  p: { status: number; title: string; detail?: string; errors?: FieldError[]; code?: string },
) {
  return reply
    .code(p.status)
    .type('application/problem+json; charset=utf-8')
    .send({ type: 'about:blank', status: p.status, title: p.title, detail: p.detail, code: p.code, errors: p.errors });
}

/**
 * What a unique violation means, if its constraint is one of ours. On a Citus cluster the row is
 * written to the table's shard, whose constraints carry the shard's id (`platform_name_uq_102034`),
 * and a shard on another node (a reference table's copy) reports only its message, without the
 * constraint's field: the name is then the one the message quotes, and the shard's id is dropped
 * when the name is not ours as it is.
 */
export function uniqueMessage(err: { constraint?: string; message?: string }): FieldError | undefined {
  const constraint = err.constraint ?? /"([^"]+)"/.exec(err.message ?? '')?.[1];
  if (!constraint) return undefined;
  const name = Object.hasOwn(UNIQUE_MESSAGES, constraint) ? constraint : constraint.replace(/_\d+$/, '');
  return Object.hasOwn(UNIQUE_MESSAGES, name) ? UNIQUE_MESSAGES[name] : undefined;
}

/** What a unique constraint means to the person filling in the form, and which field to fix. */
const UNIQUE_MESSAGES: Record<string, FieldError> = {
  jurisdiction_pkey: { field: 'suffix', message: '该所代码在本县（区）已被使用' },
  jurisdiction_station_name_uq: { field: 'name', message: '本县（区）已有同名的基层所' },
  bureau_unit_one_per_node_uq: {
    field: 'jurisdictionCode',
    message: '该辖区已有一个在建的同类单位，如需重建请先撤销原单位',
  },
  app_user_username_key: { field: 'username', message: '该账号名已被使用' },
  zone_county_code_name_key: { field: 'name', message: '本县（区）已有同名区域' },
  party_org_name_uq: { field: 'name', message: '本县（区）已有同名的党组织' },
  party_org_member_uq: { field: 'memberId', message: '此人已登记在该组织' },
  instructor_person_uq: { field: 'idNumber', message: '此人已在指导员名册中' },
  instructor_assignment_open_uq: { field: 'targetId', message: '该指导员已指派到此对象，且指派尚未结束' },
  party_org_member_relation_uq: {
    field: 'memberId',
    message: '该党员的组织关系已在另一个党组织，请先办理组织关系转接',
  },
  sanliang_active_uq: { field: 'memberId', message: '该党员在该市场主体已有同类的三亮记录' },
  sanliang_plaque_one_valid_uq: { field: 'id', message: '该记录已有有效牌匾；牌匾遗失或损毁请用"补发"' },
  recognition_point_active_uq: { field: 'subjectId', message: '该对象已是同级别的在册联系点（示范点）' },
  point_review_year_uq: { field: 'year', message: '该年度已复核，每年只复核一次' },
  campaign_name_uq: { field: 'name', message: '本级已部署同名的学习教育活动' },
  training_class_name_uq: { field: 'name', message: '本级已举办同名的培训班' },
  platform_name_uq: { field: 'name', message: '本级已登记同名的平台企业' },
  platform_partner_name_uq: { field: 'name', message: '该平台在本县（区）已有同名的合作商' },
  delivery_station_name_uq: { field: 'name', message: '该平台在本县（区）已有同名的配送站点' },
  rider_person_current_uq: { field: 'memberId', message: '此人已登记在该站点' },
  party_org_unit_uq: { field: 'platformId', message: '该组织已联系此平台或站点' },
  mobile_card_no_uq: { field: 'cardNo', message: '该发证党组织已有同编号的活动证' },
  mobile_card_one_current_uq: { field: 'memberId', message: '该党员已有一张未交回的活动证，请续期或先交回' },
  assistance_program_name_uq: { field: 'name', message: '本级已有同名的帮扶项目' },
  assistance_entity_uq: { field: 'entityId', message: '该主体已在此帮扶项目中' },
};

/**
 * Errors Fastify meets before a route is found (a malformed or over-long path): answered as
 * problem+json in Chinese, without echoing the path back (it may hold a query code).
 */
export function frameworkErrors(err: FastifyError, _req: unknown, reply: FastifyReply): void {
  void send(
    reply,
    err.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? { status: 414, title: '地址过长', detail: '请求地址中的参数过长，请检查链接是否完整正确' }
      : { status: 400, title: '请求有误', detail: '请求地址格式不正确（含无法解析的字符）' },
  );
}

/**
 * Errors the HTTP parser meets before Fastify sees a request (headers too large, a malformed
 * request): a problem+json answer written to the socket, in Chinese, then the connection closes.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, title, detail]: [number, string, string] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, '请求头过大', '请求头（如 Cookie）超过上限，请清除本站 Cookie 后重试']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, '请求超时', '请求未在规定时间内发送完毕，请重试']
        : [400, '请求有误', '请求格式不正确'];
  const body = JSON.stringify({ type: 'about:blank', status, title, detail });
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n` +
        `Content-Type: application/problem+json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  socket.destroy(err);
}

/**
 * How many field errors one answer lists. A form has a few dozen fields at most; a body of 80,000
 * unknown keys (670 KB, no sign-in needed at /auth/login) was answered with every one of them,
 * twice: 4.9 MB back for each request (round-9 probe).
 */
export const MAX_LISTED_ERRORS = 20;

/** Maps every error to problem+json; stack traces and SQL stay in the server log. */
export function installErrorHandling(app: FastifyInstance, webDist: string | null): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof Problem) return send(reply, err);
    if (hasZodFastifySchemaValidationErrors(err)) {
      const errors = err.validation.flatMap((v) => {
        const at = v.instancePath.replace(/^\//, '').replaceAll('/', '.');
        const unknown = v.keyword === 'unrecognized_keys' ? ((v.params as { keys?: string[] }).keys ?? []) : [];
        if (unknown.length)
          return unknown.map((k) => ({ field: at ? `${at}.${k}` : k, message: '不允许的字段（接口未定义）' }));
        return [{ field: at, message: v.message ?? '取值无效' }];
      });
      const where =
        { body: '请求体', querystring: '查询参数', params: '路径参数', headers: '请求头' }[
          err.validationContext ?? 'body'
        ] ?? '请求';
      const listed = errors.slice(0, MAX_LISTED_ERRORS);
      const more = errors.length > listed.length ? `；另有 ${errors.length - listed.length} 处` : '';
      return send(reply, {
        status: 400,
        title: '请求有误',
        detail: `${where}校验未通过：${listed.map((e) => `${e.field || '(整体)'} ${e.message}`).join('；')}${more}`,
        errors: listed,
      });
    }
    switch (err.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return send(reply, {
          status: 413,
          title: '请求体过大',
          detail: `请求体超过上限 ${app.initialConfig.bodyLimit} 字节`,
        });
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return send(reply, {
          status: 400,
          title: '请求有误',
          detail: '请求体不是合法的 JSON',
          errors: [{ field: '(body)', message: 'JSON 格式错误' }],
        });
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return send(reply, { status: 415, title: '不支持的内容类型', detail: '请以 application/json 提交' });
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return send(reply, { status: 400, title: '请求有误', detail: 'Content-Length 与请求体不符' });
    }
    if (isConnectionError(err)) {
      app.ctx?.database.health.report(err);
      req.log.warn({ code: (err as unknown as { code?: string }).code }, 'database unavailable');
      return sendUnavailable(reply);
    }
    if (err.statusCode === 429) return send(reply, { status: 429, title: '请求过于频繁', detail: '请稍后再试' });
    const pgCode = (err as unknown as { code?: string }).code;
    if (pgCode === '23505') {
      const known = uniqueMessage(err);
      return send(reply, {
        status: 409,
        title: '数据冲突',
        detail: known?.message ?? '与已有记录重复',
        errors: known ? [known] : undefined,
      });
    }
    // Text PostgreSQL cannot store (NUL, invalid encoding) that got past the request guard.
    if (pgCode === '22021' || pgCode === '22P05')
      return send(reply, {
        status: 400,
        title: '请求有误',
        detail: '提交的内容含有无法保存的字符（如空字符），请删除后重试',
      });
    if (pgCode === '23503')
      return send(reply, { status: 409, title: '数据冲突', detail: '该记录仍被其他数据引用，不能删除或修改' });
    if (pgCode === '42501') return send(reply, { status: 403, title: '无权操作', detail: '目标不在您的辖区内' });
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return send(reply, { status: err.statusCode, title: '请求有误', detail: '请求无法处理' });
    }
    req.log.error({ err }, 'unhandled error');
    return send(reply, {
      status: 500,
      title: '服务器内部错误',
      detail: '服务器处理请求时出错，请稍后重试或联系管理员',
    });
  });
  app.setNotFoundHandler((req, reply) => {
    // The web UI routes in the browser: any other GET outside /api gets its index page.
    if (
      webDist &&
      req.method === 'GET' &&
      !req.url.startsWith('/api/') &&
      fs.existsSync(path.join(webDist, 'index.html'))
    ) {
      return reply.type('text/html; charset=utf-8').send(fs.createReadStream(path.join(webDist, 'index.html')));
    }
    return send(reply, {
      status: 404,
      title: '未找到',
      detail: `没有这个接口：${req.method} ${req.url.split('?')[0]}`,
    });
  });
}
