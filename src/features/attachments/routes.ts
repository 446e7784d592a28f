import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import multipart from '@fastify/multipart';
import { checkFile, formatBytes } from '../../domain/attachments/types.js';
import { badRequest, forbidden, notFound, Problem } from '../../http/errors.js';
import { schemaOf } from '../../http/contract.js';
import { attachmentFile, removeAttachment, uploadAttachment } from './contract.js';
import { attachmentById, insertAttachment, markRemoved, toAttachment } from './queries.js';
import { writableOwner, writesSomeOwner, type AttachmentOwner } from './owners.js';
import { getFile, putFile } from './store.js';
import { UploadGate } from './gate.js';
import { cleanFileName, fileNameForOthers } from '../../domain/identifiers/free-text.js';

const tags = ['附件'];

/** RFC 6266 / 5987: an ASCII fallback and the UTF-8 name. */
const disposition = (name: string) =>
  `attachment; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`;

/** 附件: upload to a record (checked by the record's own feature), download through the record's access rules, remove one's own upload. */
export async function attachmentRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { config, keys } = app.ctx;
  await app.register(multipart, { limits: { files: 1, fields: 0 } });
  const uploads = new UploadGate();

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
      await req.scoped((s) => owner.writable(s, req.params.ownerId));
      if (!req.isMultipart())
        throw new Problem(415, '不支持的内容类型', '请以 multipart/form-data 上传文件（字段名 file）');
      // A slot before any byte of the file is read: the file is held in memory until it is stored.
      const release = uploads.enter(req.user!.id);
      try {
        return await receive(req, reply, owner);
      } finally {
        release();
      }
    },
  });

  /** Reads, checks and stores the file of an upload that holds a slot. */
  async function receive(
    req: FastifyRequest<{ Params: { ownerType: string; ownerId: number } }>,
    reply: FastifyReply,
    owner: AttachmentOwner,
  ) {
    const max = config.attachmentMaxBytes;
    const file = await req.file({ limits: { fileSize: max, files: 1 } });
    if (!file) throw badRequest('没有收到文件', [{ field: 'file', message: '请选择文件' }]);
    const fileName = cleanFileName(file.filename);
    const chunks: Buffer[] = [];
    for await (const chunk of file.file) chunks.push(chunk as Buffer);
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
    const contentKey = await putFile(config.dataDir, keys, bytes);
    const row = await req.scoped(async (s) => {
      const { scopeKey } = await owner.writable(s, req.params.ownerId); // again, in the writing transaction
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
      const bytes = await getFile(config.dataDir, keys, row.content_key);
      return reply
        .header('content-type', row.media_type)
        .header('content-disposition', disposition(row.file_name))
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-store')
        .send(bytes);
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
