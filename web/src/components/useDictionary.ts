import { useEffect, useState } from 'react';
import { listDictionaries, type DictionaryEntry as Entry } from '@server/features/dictionaries/contract';
import { call } from '../api';

let cache: Promise<Record<string, Entry[]>> | null = null;

/** The configurable code lists (GET /dictionaries), fetched once per page load: one kind as entries and as a code → label map. */
export function useDictionary(kind: string): { entries: Entry[]; labels: Record<string, string> } {
  const [entries, setEntries] = useState<Entry[]>([]);
  useEffect(() => {
    cache ??= call(listDictionaries).catch((e) => {
      cache = null;
      throw e;
    });
    let live = true;
    cache.then(
      (d) => live && setEntries(d[kind] ?? []),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [kind]);
  return { entries, labels: Object.fromEntries(entries.map((e) => [e.code, e.label])) };
}
