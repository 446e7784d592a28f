import { useCallback, useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import type { Endpoint, ItemOf } from '@server/http/contract';
import { get, type Page, type Query } from '../api';
import { useLoad } from './Loading';
import { num } from './format';

/**
 * `inAddress`: the page and its size live in the address (?page=3&pageSize=50), so a list left
 * for a page of its own (市场主体台账 → an entity) is on the same page when 返回 comes back to it;
 * elsewhere they are the list's own state (a page holding several lists would share one ?page=).
 */
type Options = { inAddress?: boolean };

/** Server-side paged list state: filters, page, loading, error, reload. Give the list's endpoint (its contract types the items) or, for lists without one yet, its path. */
export function usePaged<E extends Endpoint>(
  e: E | null,
  filters: Query,
  pageSize?: number,
  o?: Options,
): Paged<ItemOf<E>>;
export function usePaged<T>(path: string | null, filters: Query, pageSize?: number, o?: Options): Paged<T>;
export function usePaged<T>(
  source: string | Endpoint | null,
  filters: Query,
  pageSize = 20,
  { inAddress = false }: Options = {},
): Paged<T> {
  const path = typeof source === 'string' || source === null ? source : source.path;
  const [own, setOwn] = useState({ page: 1, size: pageSize });
  const [params, setParams] = useSearchParams();
  const key = JSON.stringify(filters);
  // Other filters start on page 1 at once (not after a read of the old page under them); the first
  // render keeps the page it found (in the address, 返回's).
  const shownFor = useRef(key);
  const refiltered = shownFor.current !== key;
  const page = refiltered ? 1 : inAddress ? Number(params.get('page')) || 1 : own.page;
  const size = inAddress ? Number(params.get('pageSize')) || pageSize : own.size;
  const setPage = useCallback(
    (p: number, s: number) => {
      if (!inAddress) return setOwn({ page: p, size: s });
      setParams(
        (x) => {
          const next = new URLSearchParams(x);
          for (const [k, v, dflt] of [
            ['page', p, 1],
            ['pageSize', s, pageSize],
          ] as const)
            if (v === dflt) next.delete(k);
            else next.set(k, String(v));
          return next;
        },
        { replace: true },
      );
    },
    [inAddress, pageSize, setParams],
  );
  useEffect(() => {
    if (shownFor.current === key) return;
    shownFor.current = key;
    setPage(1, size);
  }, [key, size, setPage]);

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
    onChange: setPage,
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
