import { useCallback, useEffect, useState } from 'react';
import type { Endpoint, ItemOf } from '@server/http/contract';
import { get, type Page, type Query } from '../api';
import { useLoad } from './Loading';
import { num } from './format';

/** Server-side paged list state: filters, page, loading, error, reload. Give the list's endpoint (its contract types the items) or, for lists without one yet, its path. */
export function usePaged<E extends Endpoint>(e: E | null, filters: Query, pageSize?: number): Paged<ItemOf<E>>;
export function usePaged<T>(path: string | null, filters: Query, pageSize?: number): Paged<T>;
export function usePaged<T>(source: string | Endpoint | null, filters: Query, pageSize = 20): Paged<T> {
  const path = typeof source === 'string' || source === null ? source : source.path;
  const [page, setPage] = useState(1);
  const [size, setSize] = useState(pageSize);
  const key = JSON.stringify(filters);

  useEffect(() => setPage(1), [key]);

  // The shared pattern (useLoad): an answer to an older page or filter, come after a newer one's, is dropped
  // (its rows stood under the newer pager and filters).
  const { data, loading, error, reload } = useLoad<Page<T> | null>(
    useCallback(
      () => (path ? get<Page<T>>(path, { ...JSON.parse(key), page, pageSize: size }) : Promise.resolve(null)),
      [path, key, page, size],
    ),
  );

  const pagination = {
    current: page,
    pageSize: size,
    total: data?.total ?? 0,
    showSizeChanger: true,
    showTotal: (t: number) => `共 ${num(t)} 条`,
    onChange: (p: number, s: number) => {
      setPage(p);
      setSize(s);
    },
  };
  return { items: data?.items ?? [], total: data?.total ?? 0, loading, error, reload, pagination };
}

type Paged<T> = {
  items: T[];
  total: number;
  loading: boolean;
  error: string | null;
  reload: () => Promise<void>;
  pagination: {
    current: number;
    pageSize: number;
    total: number;
    showSizeChanger: boolean;
    showTotal: (t: number) => string;
    onChange: (p: number, s: number) => void;
  };
};
