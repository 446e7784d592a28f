import { useEffect, useRef, useState, type ReactElement, type ReactNode } from 'react';
import { Select } from 'antd';
import type { Endpoint, ItemOf } from '@server/http/contract';
import { get, type Page, type Query } from '../api';

type Option = { value: number; label: ReactNode };
type Common = {
  /** Given by Form.Item, so the field's label names this input. */
  id?: string;
  query?: Query;
  value?: number | number[];
  onChange?: (v: number | number[] | undefined) => void;
  placeholder?: string;
  mode?: 'multiple';
  style?: React.CSSProperties;
};

/**
 * A Select that asks the server as the user types (members, entities and organizations are too
 * many to load whole). `toOption` turns a list item into an option. Give the list's endpoint
 * (`list={listEntities}`: its contract types the items) or, for a list chosen at run time, its path
 * and the item type.
 */
export function SearchSelect<E extends Endpoint>(
  props: Common & { list: E; toOption: (item: ItemOf<E>) => Option },
): ReactElement;
export function SearchSelect<T>(props: Common & { path: string; toOption: (item: T) => Option }): ReactElement;
export function SearchSelect<T>({
  id,
  list,
  path: given,
  query,
  toOption,
  value,
  onChange,
  placeholder,
  mode,
  style,
}: Common & { list?: Endpoint; path?: string; toOption: (item: T) => Option }) {
  const path = list?.path ?? given!;
  const [options, setOptions] = useState<Option[]>([]);
  const [loading, setLoading] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const latest = useRef(0);
  const extra = JSON.stringify(query ?? {});
  const toOptionRef = useRef(toOption);
  toOptionRef.current = toOption;
  // Options once shown, so a chosen value keeps its label after a later search no longer lists it.
  const seen = useRef(new Map<number, Option>());
  const chosen = ([] as number[])
    .concat(value ?? [])
    .filter((v) => !options.some((o) => o.value === v))
    .flatMap((v) => seen.current.get(v) ?? []);

  const search = (q: string) => {
    clearTimeout(timer.current);
    timer.current = setTimeout(
      () =>
        void (async () => {
          const seq = ++latest.current;
          setLoading(true);
          try {
            const page = await get<Page<T>>(path, { ...JSON.parse(extra), q: q.trim() || undefined, pageSize: 20 });
            // A slower earlier answer must not overwrite a later one.
            const found = page.items.map((i) => toOptionRef.current(i));
            found.forEach((o) => seen.current.set(o.value, o));
            if (seq === latest.current) setOptions(found);
          } catch {
            if (seq === latest.current) setOptions([]);
          } finally {
            if (seq === latest.current) setLoading(false);
          }
        })(),
      q ? 300 : 0,
    );
  };
  useEffect(() => {
    search('');
    return () => clearTimeout(timer.current);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- search is remade each render from path and extra, which are listed
  }, [path, extra]);

  return (
    <Select
      id={id}
      mode={mode}
      allowClear
      value={value}
      onChange={onChange}
      placeholder={placeholder ?? '输入名称查找'}
      loading={loading}
      options={[...options, ...chosen]}
      showSearch={{ filterOption: false, onSearch: search }}
      notFoundContent={loading ? '查找中…' : '没有找到'}
      style={{ width: '100%', ...style }}
    />
  );
}
