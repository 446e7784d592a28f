import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import multipart from '@fastify/multipart';
import { checkFile, formatBytes } from '../../domain/attachments/types.js';
import { badRequest, forbidden, notFound, Problem } from '../../http/errors.js';
import { schemaOf } from '../../http/contract.js';
import { attachmentFile, removeAttachment, uploadAttachment } from './contract.js';
import {
  attachmentById,
  heldStoredBytes,
  insertAttachment,
  markRemoved,
  storedBytes,
  toAttachment,
} from './queries.js';
import { writableOwner, writesSomeOwner, type AttachmentOwner } from './owners.js';
import { fileStream, putFile } from './store.js';
import {
  DOWNLOADS_IN_ALL,
  DOWNLOADS_PER_ACCOUNT,
  TransferGate,
  UPLOADS_IN_ALL,
  UPLOADS_PER_ACCOUNT,
} from '../../http/slot-gate.js';
import { quotaNodeOf, quotaRefusal } from '../../domain/attachments/quota.js';
import { cleanFileName, fileNameForOthers } from '../../domain/identifiers/free-text.js';

const tags = ['附件'];

/** RFC 6266 / 5987: an ASCII fallback and the UTF-8 name. */
const disposition = (name: string) =>
  `attachment; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`;

/** 附件: upload to a record (checked by the record's own feature), download through the record's access rules, remove one's own upload. */
export async function attachmentRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { config, keys, db } = app.ctx;
  await app.register(multipart, { limits: { files: 1, fields: 0 } });
  const uploads = new TransferGate('upload', UPLOADS_PER_ACCOUNT, UPLOADS_IN_ALL);
  const downloads = new TransferGate('download', DOWNLOADS_PER_ACCOUNT, DOWNLOADS_IN_ALL);

  /** 413 in Chinese when a file of `adding` bytes does not fit a quota node that keeps `used` bytes. */
  function fitQuota(used: number, adding: number): void {
    const reason = quotaRefusal(used, adding, config.attachmentCountyQuotaBytes);
    if (reason)
      throw new Problem(413, '附件存储已满', reason, [{ field: 'file', message: reason }], 'attachment_quota');
  }

  /** The quota checked early, on the server's connection: a spent node is told so before the file is read or stored. */
  const withinQuota = async (scopeKey: string, adding: number) =>
    fitQuota(await storedBytes(db, quotaNodeOf(scopeKey)), adding);

  // Every signed-in reader reaches the handler; the record's kind names the write permission it needs.
  r.post(uploadAttachment.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(uploadAttachment, tags),
      params: uploadAttachment.params,
      response: { 201: uploadAttachment.response },
    },
    handler: async (req, reply) => {
      if (!writesSomeOwner(req.user!.permissions)) throw forbidden();
      const owner = writableOwner(req.params.ownerType, req.user!.permissions);
      if (!owner) throw notFound('附件所属记录');
      // The record first: a file for a record out of reach is refused before its bytes are read.
      const { scopeKey } = await req.scoped((s) => owner.writable(s, req.params.ownerId));
      if (!req.isMultipart())
        throw new Problem(415, '不支持的内容类型', '请以 multipart/form-data 上传文件（字段名 file）');
      // A node whose quota is spent is told so before any byte of the file is read (round 12).
      await withinQuota(scopeKey, 1);
      // A slot before any byte of the file is read: the file is held in memory until it is stored.
      const release = uploads.enter(req.user!.id);
      // The file must have arrived within its time, or its slot goes back (round 12: a body trickled
      // a byte at a time held two accounts' slots, and so every upload of the server, for ever).
      // Arrival alone is timed: a file that came whole is checked and stored however long that takes
      // (round 13: cut at storing, it was answered 408 while its sealed file, or its record, was written).
      const late = new AbortController();
      const seconds = config.attachmentReceiveSeconds;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          late.abort();
          reply.raw.once('finish', () => req.raw.destroy()); // the rest of the body is not awaited
          reject(
            new Problem(408, '上传超时', `附件须在 ${seconds} 秒内传完，请检查网络后重新上传`, [
              { field: 'file', message: `未在 ${seconds} 秒内传完` },
            ]),
          );
        }, seconds * 1000);
      });
      try {
        const arrived = () => clearTimeout(timer);
        return await Promise.race([receive(req, reply, owner, scopeKey, late.signal, arrived), timedOut]);
      } finally {
        clearTimeout(timer);
        release();
      }
    },
  });

  /** Reads, checks and stores the file of an upload that holds a slot. */
  async function receive(
    req: FastifyRequest<{ Params: { ownerType: string; ownerId: number } }>,
    reply: FastifyReply,
    owner: AttachmentOwner,
    scopeKey: string,
    late: AbortSignal,
    arrived: () => void,
  ) {
    const max = config.attachmentMaxBytes;
    const file = await req.file({ limits: { fileSize: max, files: 1 } });
    if (!file) throw badRequest('没有收到文件', [{ field: 'file', message: '请选择文件' }]);
    const fileName = cleanFileName(file.filename);
    const chunks: Buffer[] = [];
    for await (const chunk of file.file) {
      if (late.aborted) break;
      chunks.push(chunk as Buffer);
    }
    late.throwIfAborted(); // answered 408 already: nothing is stored
    arrived(); // in time: from here on, no 408
    if (file.file.truncated)
      throw new Problem(413, '文件过大', `附件"${fileName}"超过大小上限 ${formatBytes(max)}`, [
        { field: 'file', message: `超过 ${formatBytes(max)}` },
      ]);
    const bytes = Buffer.concat(chunks);
    const verdict = checkFile(fileName, bytes, max);
    if (!verdict.ok)
      throw new Problem(verdict.reason.includes('上限') ? 413 : 415, '附件不符合要求', verdict.reason, [
        { field: 'file', message: verdict.reason },
      ]);
    await withinQuota(scopeKey, bytes.length);
    const contentKey = await putFile(config.dataDir, keys, bytes);
    const row = await req.scoped(async (s) => {
      const { scopeKey } = await owner.writable(s, req.params.ownerId); // again, in the writing transaction
      // And the quota, holding the node's lock until the record is written: checked only before,
      // uploads sent at once each found room and were all stored past it (round 14). A file
      // refused here stays on disk unreferenced, for the sweep of orphan files (jobs/orphan-files.ts).
      fitQuota(await heldStoredBytes(s.db, quotaNodeOf(scopeKey)), bytes.length);
      const a = await insertAttachment(s.db, {
        owner_type: req.params.ownerType,
        owner_id: req.params.ownerId,
        scope_key: scopeKey,
        // Kept as every reader of the record sees it (the whole node, the issuer above): clerks
        // name files after the person they are about; an ID number or a mobile in it is masked.
        file_name: fileNameForOthers(fileName),
        media_type: verdict.mediaType,
        size_bytes: bytes.length,
        content_key: contentKey,
        uploaded_by: req.user!.id,
        uploaded_by_name: req.user!.displayName,
      });
      s.audit({
        action: 'attachment.upload',
        objectType: 'attachment',
        objectId: a.id,
        detail: {
          ownerType: a.owner_type,
          ownerId: req.params.ownerId,
          fileName: a.file_name,
          mediaType: verdict.mediaType,
          bytes: bytes.length,
        },
      });
      return a;
    });
    return reply.code(201).send(toAttachment(row));
  }

  r.get(attachmentFile.path, {
    config: { access: 'data.read' },
    schema: { tags, summary: '下载附件（按所属记录的访问规则；留痕）', params: attachmentFile.params },
    handler: async (req, reply) => {
      // A slot per transfer as uploads have, taken before the record is read or the download audited,
      // and freed when the answer ends or the reader goes (the file streams, store.ts); a reader that
      // stops reading is cut off when its time is spent (round 13: four held an account's slots for ever).
      const release = downloads.enter(req.user!.id);
      const cutOff = setTimeout(() => reply.raw.destroy(), config.attachmentSendSeconds * 1000);
      reply.raw.once('close', () => {
        clearTimeout(cutOff);
        release();
      });
      const row = await req.scoped(async ({ db, audit }) => {
        const a = await attachmentById(db, req.params.id);
        if (!a) throw notFound('附件');
        audit({
          action: 'attachment.download',
          objectType: 'attachment',
          objectId: a.id,
          detail: { ownerType: a.owner_type, ownerId: Number(a.owner_id), fileName: a.file_name },
        });
        return a;
      });
      const body = await fileStream(config.dataDir, keys, row.content_key);
      return reply
        .header('content-type', row.media_type)
        .header('content-disposition', disposition(row.file_name))
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-store')
        .header('content-length', Number(row.size_bytes))
        .send(body);
    },
  });

  r.delete(removeAttachment.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(removeAttachment, tags), params: removeAttachment.params },
    handler: async (req, reply) => {
      if (!writesSomeOwner(req.user!.permissions)) throw forbidden();
      await req.scoped(async (s) => {
        const a = await attachmentById(s.db, req.params.id);
        if (!a) throw notFound('附件');
        const owner = writableOwner(a.owner_type, req.user!.permissions);
        if (!owner) throw notFound('附件所属记录');
        await owner.writable(s, Number(a.owner_id));
        if (a.uploaded_by !== req.user!.id) throw forbidden('只能删除本人上传的附件');
        await markRemoved(s.db, a.id);
        s.audit({
          action: 'attachment.remove',
          objectType: 'attachment',
          objectId: a.id,
          detail: { fileName: a.file_name },
        });
      });
      return reply.code(204).send(null);
    },
  });
}
