import { Alert, DatePicker, Form, Input } from 'antd';
import dayjs from 'dayjs';
import { call } from '../api';
import type { BodyOf, ResponseOf } from '@server/http/contract';
import { recordViolation } from '@server/features/recognition/contract';
import { FormModal } from './FormModal';
import { isFuture, ymd, today } from './format';
import { zodRule } from './zodRule';

type Values = Omit<BodyOf<typeof recordViolation>, 'occurredOn'> & { occurredOn: dayjs.Dayjs };

/** Records an entity's serious violation (the entity page and the honour drawer): the entity's live honours are then flagged for review. */
export function ViolationForm({
  entityId,
  onClose,
  onDone,
}: {
  entityId: number;
  onClose: () => void;
  onDone: (r: ResponseOf<typeof recordViolation>) => void;
}) {
  return (
    <FormModal<Values>
      title="记录严重违法违规行为"
      okText="记录"
      danger
      onClose={onClose}
      initialValues={{ occurredOn: today() }}
      onSubmit={async (v) =>
        onDone(
          await call(recordViolation, {
            params: { id: entityId },
            body: { occurredOn: ymd(v.occurredOn)!, description: v.description },
          }),
        )
      }
    >
      <Alert
        type="info"
        showIcon
        title="记录后，该主体所有在审和已授予的荣誉将标记为待复核。"
        style={{ marginBottom: 12 }}
      />
      <Form.Item name="occurredOn" label="发生日期" rules={[{ required: true, message: '请选择发生日期' }]}>
        <DatePicker disabledDate={isFuture} />
      </Form.Item>
      <Form.Item
        name="description"
        label="情况说明"
        rules={[{ required: true, message: '请简要说明违法违规情况' }, zodRule(recordViolation.body.shape.description)]}
      >
        <Input.TextArea rows={3} maxLength={500} showCount />
      </Form.Item>
    </FormModal>
  );
}
