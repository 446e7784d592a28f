import { useCallback, useEffect, useState } from 'react';
import type { Endpoint, ItemOf } from '@server/http/contract';
import { get, type Page, type Query } from '../api';
import { applyProblem } from './problem';
import { num } from './format';

/** Server-side paged list state: filters, page, loading, error, reload. Give the list's endpoint (its contract types the items) or, for lists without one yet, its path. */
export function usePaged<E extends Endpoint>(e: E | null, filters: Query, pageSize?: number): Paged<ItemOf<E>>;
export function usePaged<T>(path: string | null, filters: Query, pageSize?: number): Paged<T>;
export function usePaged<T>(source: string | Endpoint | null, filters: Query, pageSize = 20): Paged<T> {
  const path = typeof source === 'string' || source === null ? source : source.path;
  const [page, setPage] = useState(1);
  const [size, setSize] = useState(pageSize);
  const [data, setData] = useState<Page<T> | null>(null);
  // Loading from the first paint: before the first answer the list has no rows, and must not say it has none.
  const [loading, setLoading] = useState(path !== null);
  const [error, setError] = useState<string | null>(null);
  const key = JSON.stringify(filters);

  useEffect(() => setPage(1), [key]);

  const reload = useCallback(async () => {
    if (!path) return;
    setLoading(true);
    try {
      setData(await get<Page<T>>(path, { ...JSON.parse(key), page, pageSize: size }));
      setError(null);
    } catch (e) {
      setError(applyProblem(null, e));
    } finally {
      setLoading(false);
    }
  }, [path, key, page, size]);

  useEffect(() => {
    void reload();
  }, [reload]);

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
