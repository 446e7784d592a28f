import type { BodyOf, Endpoint, ParamsOf, QueryOf, ResponseOf } from '@server/http/contract';

/** The one way the UI talks to the server: JSON, the CSRF token, and problem+json errors as ApiError. */
export type FieldError = { field: string; message: string };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string | undefined,
    readonly errors: FieldError[] = [],
    readonly code?: string,
  ) {
    super(detail ?? title);
  }
}

let csrfToken = '';
export const setCsrfToken = (t: string) => {
  csrfToken = t;
};
/** The token for requests made outside api() (file uploads). */
export const csrf = () => csrfToken;

let onUnauthorized: (err: ApiError) => void = () => {};
export const setUnauthorizedHandler = (fn: (err: ApiError) => void) => {
  onUnauthorized = fn;
};

export type Query = Record<string, string | number | boolean | undefined | null>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

export async function api<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  const res = await fetch(withQuery(`/api/v1${path}`, query), {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  const data = type.includes('json') ? await res.json() : undefined;
  if (!res.ok) {
    const err = new ApiError(
      res.status,
      data?.title ?? `请求失败（${res.status}）`,
      data?.detail,
      data?.errors ?? [],
      data?.code,
    );
    if (res.status === 401 && !path.startsWith('/auth/login')) onUnauthorized(err);
    throw err;
  }
  return data as T;
}

export const get = <T>(path: string, query?: Query) => api<T>('GET', path, undefined, query);
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body ?? {});
export const patch = <T>(path: string, body: unknown) => api<T>('PATCH', path, body);
export const put = <T>(path: string, body: unknown) => api<T>('PUT', path, body);
export const del = <T>(path: string) => api<T>('DELETE', path);

export type Page<T> = { items: T[]; total: number; page: number; pageSize: number };

/** An endpoint's path with its parameters filled in (`/orgs/:id` → `/orgs/12`). */
export function pathOf<E extends Endpoint>(e: E, params?: ParamsOf<E>): string {
  const p = (params ?? {}) as Record<string, string | number>;
  return e.path.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(String(p[name])));
}

type CallArgs<E extends Endpoint> = { params?: ParamsOf<E>; query?: QueryOf<E>; body?: BodyOf<E> };

/**
 * Calls a route by its contract (src/features/<name>/contract.ts): the path parameters, query and
 * body are checked against the route's schemas at compile time, and the answer has the route's
 * response type, so a changed response shape is a compile error in the page that reads it.
 */
export function call<E extends Endpoint>(e: E, args: CallArgs<E> = {}): Promise<ResponseOf<E>> {
  const path = pathOf(e, args.params);
  const body = e.method === 'GET' || e.method === 'DELETE' ? undefined : (args.body ?? {});
  return api<ResponseOf<E>>(e.method, path, body, args.query as Query | undefined);
}
