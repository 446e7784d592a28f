import { z } from 'zod';
import { attachment, endpoint, idParam } from '../../http/contract.js';

/** Request and response shapes of attachments (pure; the web imports them). */
/** The attachment shape lives in the shared contract module: other features' contracts list files too. */
export { attachment, type Attachment } from '../../http/contract.js';

export const ownerParams = z.strictObject({
  ownerType: z.string().regex(/^[a-z_]{1,40}$/, '附件所属记录类型无效'),
  ownerId: z.coerce.number().int().positive('编号应为正整数'),
});

/** The upload is multipart (field `file`), so the web posts FormData to this path rather than JSON through call(). */
export const uploadAttachment = endpoint({
  method: 'POST',
  path: '/attachments/:ownerType/:ownerId',
  summary: '上传附件（multipart，字段 file；PDF、图片、Office 文档、OFD，按内容判断类型）',
  params: ownerParams,
  status: 201,
  response: attachment,
});

/** The file itself (a download link, not JSON). */
export const attachmentFile = { path: '/attachments/:id/file', params: idParam } as const;

export const removeAttachment = endpoint({
  method: 'DELETE',
  path: '/attachments/:id',
  summary: '删除本人上传的附件（所属记录仍可修改时）',
  params: idParam,
  status: 204,
  response: z.null(),
});
