import { useCallback, useEffect, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import type { Endpoint, ItemOf, ResponseOf } from '@server/http/contract';
import { get, type Page, type Query } from '../api';
import { useLoad } from './Loading';
import { num } from './format';

/**
 * Where a list keeps its page: in the page's own state (lost when the page is left), or, for the
 * one list of a page whose filters live in the address, in the address too (`?page=3&pageSize=50`),
 * so 返回 from a row's detail lands on the page the clerk left, read once.
 */
type Options = { inAddress?: boolean };

/** Server-side paged list state: filters, page, loading, error, reload. Give the list's endpoint (its contract types the items) or, for lists without one yet, its path. */
export function usePaged<E extends Endpoint>(
  e: E | null,
  filters: Query,
  pageSize?: number,
  options?: Options,
): Paged<ItemOf<E>, ResponseOf<E>>;
export function usePaged<T>(path: string | null, filters: Query, pageSize?: number, options?: Options): Paged<T>;
export function usePaged<T>(
  source: string | Endpoint | null,
  filters: Query,
  pageSize = 20,
  { inAddress = false }: Options = {},
): Paged<T> {
  const path = typeof source === 'string' || source === null ? source : source.path;
  const key = JSON.stringify(filters);
  const [params, setParams] = useSearchParams();
  const [own, setOwn] = useState({ page: 1, size: pageSize });
  const kept = inAddress
    ? { page: Number(params.get('page')) || 1, size: Number(params.get('pageSize')) || pageSize }
    : own;
  // The filters the page was chosen under: once they change the list reads their page 1, in the same
  // render (it read the old page under the new filters first, then page 1: twice).
  const [keyOfPage, setKeyOfPage] = useState(key);
  const stale = keyOfPage !== key;
  const page = stale ? 1 : kept.page;
  const size = kept.size;

  const choose = useCallback(
    (p: number, s: number) => {
      if (!inAddress) return setOwn({ page: p, size: s });
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          if (p > 1) next.set('page', String(p));
          else next.delete('page');
          if (s !== pageSize) next.set('pageSize', String(s));
          else next.delete('pageSize');
          return next;
        },
        { replace: true },
      );
    },
    [inAddress, pageSize, setParams],
  );
  // The kept page goes back to 1 first, then the filters are the page's own: the address changes a render
  // later than state, and in between the list read the old page again.
  const keptPage = kept.page;
  useEffect(() => {
    if (!stale) return;
    if (keptPage !== 1) choose(1, size);
    else setKeyOfPage(key);
  }, [stale, key, keptPage, size, choose]);

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
    onChange: choose,
  };
  return { items: data?.items ?? [], total: data?.total ?? 0, data, loading, error, reload, pagination };
}

type Paged<T, R = Page<T>> = {
  items: T[];
  total: number;
  /** The whole answer (a list may carry more than its rows: the counties' counts of 待分配基层所). */
  data: R | null;
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
