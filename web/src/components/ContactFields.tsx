import { Form, Input, Space } from 'antd';
import type { z } from 'zod';
import { zodRule } from './zodRule';

/** 身份证号 and 手机号 of a person the bureau may leave unidentified (an instructor, a rider), checked by the server's own schemas. */
export function ContactFields({ idNumber, phone }: { idNumber: z.ZodType; phone: z.ZodType }) {
  return (
    <Space wrap align="start">
      <Form.Item name="idNumber" label="身份证号（加密保存，可不填）" rules={[zodRule(idNumber)]}>
        <Input maxLength={18} style={{ width: 220 }} />
      </Form.Item>
      <Form.Item name="phone" label="手机号（加密保存）" rules={[zodRule(phone)]}>
        <Input maxLength={11} style={{ width: 160 }} />
      </Form.Item>
    </Space>
  );
}
