import { z } from 'zod';

/**
 * zod's own messages in Chinese, everywhere a schema speaks to a user (an API field, an imported
 * row): its Chinese locale, and for a value of the wrong type what it should be, in words a clerk
 * reads ("必填", "应为数字"), not the locale's "期望 number，实际接收 undefined". Imported for its effect.
 */
const KIND: Record<string, string> = {
  string: '文字',
  number: '数字',
  int: '整数',
  bigint: '整数',
  boolean: '是或否',
  object: '一组字段（对象）',
  array: '列表',
  date: '日期',
};

z.config(z.locales.zhCN());
z.config({
  customError: (iss) =>
    iss.code === 'invalid_type'
      ? iss.input === undefined
        ? '必填'
        : `应为${KIND[iss.expected] ?? iss.expected}`
      : undefined,
});
