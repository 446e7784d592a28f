import { useState } from 'react';
import { App, Button, List, Popconfirm, Space, Typography, Upload } from 'antd';
import { PaperClipOutlined, UploadOutlined } from '@ant-design/icons';
import { ApiError, call, csrf, pathOf } from '../api';
import { applyProblem } from './problem';
import { DownloadLink } from './DownloadButton';
import {
  removeAttachment,
  uploadAttachment as uploadEndpoint,
  type Attachment,
} from '@server/features/attachments/contract';

/** A file on a record as the server lists it (the attachments contract). */
export type AttachmentItem = Attachment;

const size = (n: number) =>
  n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`;
/** What the upload accepts (the server checks the bytes, not these names). */
export const ACCEPT = '.pdf,.jpg,.jpeg,.png,.gif,.webp,.bmp,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.ofd';

/** Uploads one file onto a record; a refusal (too large, refused type, bytes not matching the name) comes back as the server's Chinese message. */
export async function uploadAttachment(ownerType: string, ownerId: number, file: File): Promise<AttachmentItem> {
  const fd = new FormData();
  fd.append('file', file, file.name);
  const res = await fetch(`/api/v1${pathOf(uploadEndpoint, { ownerType, ownerId })}`, {
    method: 'POST',
    body: fd,
    headers: { 'x-csrf-token': csrf() },
    credentials: 'same-origin',
  });
  const data = await res.json().catch(() => undefined);
  if (!res.ok) throw new ApiError(res.status, data?.title ?? '上传失败', data?.detail, data?.errors ?? []);
  return data as AttachmentItem;
}

/**
 * The files of a record, each a download link (served through the record's access rules, audited).
 * With onRemoved (a record still being written, e.g. a reply not yet sent) each file can be deleted,
 * after a confirmation: a wrong file chosen by mistake is not stuck on the reply.
 */
export function AttachmentList({ items, onRemoved }: { items: AttachmentItem[]; onRemoved?: (id: number) => void }) {
  const { message } = App.useApp();
  if (items.length === 0) return <Typography.Text type="secondary">无附件</Typography.Text>;
  return (
    <List
      size="small"
      dataSource={items}
      renderItem={(a) => (
        <List.Item style={{ paddingInline: 0 }}>
          <Space size={4} style={{ minWidth: 0, flexWrap: 'wrap' }}>
            {/* Fetched: a refusal (the account's downloads busy, the file gone) is a message, not the raw answer in place of the page. */}
            <DownloadLink
              href={`/api/v1/attachments/${a.id}/file`}
              // The clip inside the link: a long name filled the line and left the clip alone on the one above.
              icon={<PaperClipOutlined />}
              style={{ whiteSpace: 'normal', wordBreak: 'break-all', textAlign: 'left' }}
            >
              {a.fileName}
            </DownloadLink>
            <Typography.Text type="secondary">{size(a.sizeBytes)}</Typography.Text>
            {onRemoved && (
              <Popconfirm
                title={`删除附件"${a.fileName}"？`}
                okText="删除"
                okButtonProps={{ danger: true }}
                onConfirm={() =>
                  call(removeAttachment, { params: { id: a.id } }).then(
                    () => {
                      message.success('附件已删除');
                      onRemoved(a.id);
                    },
                    (e) => void message.error(applyProblem(null, e)),
                  )
                }
              >
                <Button type="link" size="small" danger style={{ paddingInline: 4 }}>
                  删除
                </Button>
              </Popconfirm>
            )}
          </Space>
        </List.Item>
      )}
    />
  );
}

/** A button that uploads files onto a record as they are chosen. */
export function AttachmentUpload({
  ownerType,
  ownerId,
  onUploaded,
  label = '上传附件',
}: {
  ownerType: string;
  ownerId: number;
  onUploaded: (a: AttachmentItem) => void;
  label?: string;
}) {
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  return (
    <Upload
      accept={ACCEPT}
      multiple
      showUploadList={false}
      customRequest={async ({ file }) => {
        setBusy(true);
        try {
          onUploaded(await uploadAttachment(ownerType, ownerId, file as File));
          message.success(`已上传 ${(file as File).name}`);
        } catch (e) {
          message.error(e instanceof ApiError ? (e.detail ?? e.title) : '上传失败');
        } finally {
          setBusy(false);
        }
      }}
    >
      <Button icon={<UploadOutlined />} loading={busy} data-testid="attachment-upload">
        {label}
      </Button>
    </Upload>
  );
}
