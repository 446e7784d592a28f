import { z } from 'zod';
import { endpoint } from '../../http/contract.js';

/** The code lists' contract (pure), shared with the web. */
export const dictionaryEntry = z.object({ code: z.string(), label: z.string() });
export type DictionaryEntry = z.infer<typeof dictionaryEntry>;

export const listDictionaries = endpoint({
  method: 'GET',
  path: '/dictionaries',
  summary: '全部代码表',
  response: z.record(z.string(), z.array(dictionaryEntry)),
});
