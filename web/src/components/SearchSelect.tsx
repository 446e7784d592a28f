import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Select } from 'antd';
import { get, type Page, type Query } from '../api';

type Option = { value: number; label: ReactNode };

/**
 * A Select that asks the server as the user types (members, entities and organizations are too
 * many to load whole). `toOption` turns a list item into an option.
 */
export function SearchSelect<T>({ id, path, query, toOption, value, onChange, placeholder, mode, style }: {
  /** Given by Form.Item, so the field's label names this input. */
  id?: string;
  path: string; query?: Query; toOption: (item: T) => Option; value?: number | number[]; onChange?: (v: number | number[] | undefined) => void;
  placeholder?: string; mode?: 'multiple'; style?: React.CSSProperties;
}) {
  const [options, setOptions] = useState<Option[]>([]);
  const [loading, setLoading] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const latest = useRef(0);
  const extra = JSON.stringify(query ?? {});
  const toOptionRef = useRef(toOption);
  toOptionRef.current = toOption;
  // Options once shown, so a chosen value keeps its label after a later search no longer lists it.
  const seen = useRef(new Map<number, Option>());
  const chosen = ([] as number[]).concat(value ?? []).filter((v) => !options.some((o) => o.value === v)).flatMap((v) => seen.current.get(v) ?? []);

  const search = (q: string) => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void (async () => {
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
    })(), q ? 300 : 0);
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
