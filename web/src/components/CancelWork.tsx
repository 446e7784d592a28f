import { useState } from 'react';
import { App, Button, Form, Input, Tag, Typography } from 'antd';
import { post } from '../api';
import { FormModal } from './FormModal';

/**
 * 撤销 deployed work (a 走访 plan, an assistance program, a campaign): a button opening a dialog
 * that asks for the reason (the API requires it); the tasks sent down with the work are withdrawn
 * with it. Big enough for a thumb on a phone.
 */
export function CancelWorkButton({ path, what, onDone }: { path: string; what: string; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const { message } = App.useApp();
  return (
    <>
      <Button
        danger
        size="small"
        style={{ minHeight: 32 }}
        onClick={(e) => {
          e.stopPropagation();
          setOpen(true);
        }}
      >
        撤销
      </Button>
      {open && (
        <FormModal<{ reason: string }>
          title={`撤销${what}`}
          okText="确认撤销"
          danger
          onClose={() => setOpen(false)}
          onSubmit={async (v) => {
            await post(path, { reason: v.reason });
            setOpen(false);
            message.success(`已撤销${what}`);
            onDone();
          }}
        >
          <Typography.Paragraph type="secondary">
            撤销后，随之下发到下级的任务一并撤销，下级会收到通知。此操作不能恢复。
          </Typography.Paragraph>
          <Form.Item
            name="reason"
            label="撤销原因"
            rules={[{ required: true, whitespace: true, message: '请写明撤销原因' }]}
          >
            <Input.TextArea rows={3} maxLength={500} showCount placeholder="例如：上级调整部署，本计划不再执行" />
          </Form.Item>
        </FormModal>
      )}
    </>
  );
}

/** 已撤销 with its reason, written out (a phone has no hover for a tooltip). */
export function CancelledMark({ reason }: { reason: string | null }) {
  return (
    <span style={{ overflowWrap: 'anywhere' }}>
      <Tag color="default">已撤销</Tag>
      {reason && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          原因：{reason}
        </Typography.Text>
      )}
    </span>
  );
}
