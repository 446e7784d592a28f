import { useCallback, useEffect, useRef, useState } from 'react';
import { App } from 'antd';
import { useSearchParams } from 'react-router-dom';
import type { Endpoint, ParamsOf, ResponseOf } from '@server/http/contract';
import { get, pathOf } from '../api';
import { applyProblem } from './problem';
import { useLoad } from './Loading';

type Filters = Record<string, string | undefined>;

/** A list's filters: one value per key, a cleared control meaning no filter. */
export function useFilters(initial: Filters = {}) {
  const [f, setF] = useState<Filters>(initial);
  const set = (k: string) => (v: string | undefined) => setF((x) => ({ ...x, [k]: v || undefined }));
  return { f, set, setF };
}

/** Whether any filter is set: an empty list then says nothing matched, not that there is nothing yet. */
export const filtered = (f: Filters): boolean => Object.values(f).some((v) => v !== undefined && v !== '');

/**
 * Filters that start from the address, so a figure clicked elsewhere opens its list filtered
 * (/orgs?kind=branch, /members?q=王). A link followed while the page is open (the address changes,
 * the page stays) sets those filters again.
 */
export function useAddressFilters(keys: string[]) {
  const [params] = useSearchParams();
  const fromAddress = Object.fromEntries(keys.map((k) => [k, params.get(k) ?? undefined]));
  const filters = useFilters(fromAddress);
  const seen = JSON.stringify(fromAddress);
  const last = useRef(seen);
  const { setF } = filters;
  useEffect(() => {
    if (last.current === seen) return;
    last.current = seen;
    setF((x) => ({ ...x, ...(JSON.parse(seen) as Filters) }));
  }, [seen, setF]);
  return filters;
}

/**
 * Reloads a list when something changed elsewhere on the page (a drawer, a form): a new `version`
 * reloads it; a change of its filters reloads it by itself, so only the version is watched.
 */
export function useReloadOn(version: number, reload: () => Promise<void>) {
  const latest = useRef(reload);
  useEffect(() => {
    latest.current = reload;
  });
  useEffect(() => {
    if (version) void latest.current();
  }, [version]);
}

/** The record open in a drawer, kept in the address (?open=12) so other pages can link to it. */
export function useOpenParam(): [number | null, (id: number | null) => void] {
  const [params, setParams] = useSearchParams();
  const open = Number(params.get('open')) || null;
  const setOpen = (id: number | null) =>
    setParams((p) => {
      const next = new URLSearchParams(p);
      if (id) next.set('open', String(id));
      else next.delete('open');
      return next;
    });
  return [open, setOpen];
}

/**
 * A drawer's record, by its endpoint and path parameters (its contract types the record), drawn
 * through Loaded (正在加载…, the refusal in words, or the record); with the form it is acting
 * through and `done`, which closes that form, says what happened, reloads the record and tells the
 * list behind it.
 */
export function useRecord<E extends Endpoint, A>(e: E, params: ParamsOf<E>, onChanged: () => void) {
  return useDetailAt<ResponseOf<E>, A>(pathOf(e, params), onChanged);
}

function useDetailAt<T, A>(path: string, onChanged: () => void) {
  const { message } = App.useApp();
  // The shared pattern (useLoad): a refusal is kept apart from the record, an older answer dropped.
  const { data: d, error, reload: load } = useLoad<T>(useCallback(() => get<T>(path), [path]));
  const [acting, setActing] = useState<A | null>(null);
  const done = (text: string) => {
    setActing(null);
    message.success(text);
    void load();
    onChanged();
  };
  /** An action started from a button (no form to show its problem on) says why it was refused. */
  const failed = (e: unknown) => void message.error(applyProblem(null, e));
  return { d, error, load, acting, setActing, done, failed };
}
