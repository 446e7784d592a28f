import { useState, type ReactNode } from 'react';
import { Alert, Form, Modal } from 'antd';
import { ApiError } from '../api';
import { applyProblem } from './problem';

type Shown = { title: string; description?: string };

/**
 * A modal form that validates, submits and keeps the server's answer in sight: field errors
 * (400) beside their fields; a refusal by the party rules (422) as a prominent alert that names
 * the rule, since the clerk has to change the plan, not a field.
 */
export function FormModal<V = Record<string, unknown>>({
  title,
  okText,
  danger,
  width,
  initialValues,
  onClose,
  onSubmit,
  children,
}: {
  title: ReactNode;
  okText?: string;
  danger?: boolean;
  width?: number;
  initialValues?: Partial<V>;
  onClose: () => void;
  onSubmit: (values: V) => Promise<unknown>;
  children: ReactNode;
}) {
  const [form] = Form.useForm();
  const [shown, setShown] = useState<Shown | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    // A form with errors shows them beside the fields; nothing else to do (and no unhandled rejection).
    const values = (await form.validateFields().catch(() => null)) as V | null;
    if (!values) return;
    setBusy(true);
    setShown(null);
    try {
      await onSubmit(values);
    } catch (e) {
      setShown(
        e instanceof ApiError && e.status === 422
          ? { title: e.title, description: e.detail }
          : { title: applyProblem(form, e) },
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={title}
      okText={okText ?? '确定'}
      okButtonProps={{ danger }}
      onOk={submit}
      onCancel={onClose}
      confirmLoading={busy}
      width={width}
      destroyOnHidden
    >
      {shown && (
        <Alert type="error" showIcon title={shown.title} description={shown.description} style={{ marginBottom: 16 }} />
      )}
      <Form form={form} layout="vertical" initialValues={initialValues}>
        {children}
      </Form>
    </Modal>
  );
}
