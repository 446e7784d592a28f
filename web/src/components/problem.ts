import type { FormInstance } from 'antd';
import { ApiError } from '../api';

/** Shows a server problem on the form: field errors beside their fields, the rest as one message. */
export function applyProblem(form: FormInstance | null, err: unknown): string {
  if (!(err instanceof ApiError)) return '网络错误，请检查连接后重试';
  if (form && err.errors.length) {
    const known = new Set(Object.keys(form.getFieldsValue(true)));
    const fields = err.errors.filter((e) => known.has(e.field.split('.')[0]));
    if (fields.length) form.setFields(fields.map((e) => ({ name: e.field.split('.')[0], errors: [e.message] })));
  }
  return err.detail ?? err.title;
}
