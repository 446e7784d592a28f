import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { Alert, Button, Spin, Typography } from 'antd';
import { applyProblem } from './problem';

/**
 * The one way a page says its data is on the way. A list with no rows yet said 暂无数据 (or its
 * own "nothing here yet, import …" text) under the spinner until the answer came; a section loaded
 * once showed its empty state, or nothing, meanwhile. Both now say 正在加载….
 */
export const LOADING_TEXT = '正在加载…';

/** A list's empty text: while its rows are on the way, that they are (not the text for a list with none). */
export function emptyWhileLoading(loading: boolean | undefined, text?: ReactNode): ReactNode {
  return loading ? (
    <Typography.Text type="secondary" data-testid="loading">
      {LOADING_TEXT}
    </Typography.Text>
  ) : (
    text
  );
}

/**
 * What a list that could not be read shows where its rows (or its empty text) would stand: the
 * refusal and a 重试 button. Its empty text (暂无…) would tell a clerk there is nothing to do.
 */
export function ListError({ error, onRetry }: { error: string; onRetry: () => unknown }) {
  return (
    <Alert
      type="error"
      showIcon
      title={error}
      style={{ textAlign: 'left' }}
      data-testid="list-error"
      action={
        <Button size="small" onClick={onRetry}>
          重试
        </Button>
      }
    />
  );
}

/** Where a section's data will stand, while it is on the way. */
export function LoadingBlock() {
  return (
    <div style={{ textAlign: 'center', padding: 24 }} data-testid="loading">
      <Spin />
      <div style={{ marginTop: 8 }}>
        <Typography.Text type="secondary">{LOADING_TEXT}</Typography.Text>
      </div>
    </div>
  );
}

/**
 * A section whose data is loaded once: 正在加载… until it arrives, the refusal in words when it is
 * refused (not an empty state, not a spinner that never ends), then the section drawn from it.
 */
export function Loaded<T>({
  data,
  error,
  children,
}: {
  data: T | null | undefined;
  error?: string | null;
  children: (data: T) => ReactNode;
}) {
  if (error) return <Alert type="error" showIcon title={error} />;
  if (data === null || data === undefined) return <LoadingBlock />;
  return <>{children(data)}</>;
}

/**
 * Data a section loads once (and again when `load` changes: give a memoized function): what it
 * holds, whether it is on the way, the refusal in words, and reload. A refusal is kept apart from
 * "nothing" (a failed 待办 list said 没有待办事项). An answer to an older load is dropped.
 */
export function useLoad<T>(load: () => Promise<T>): {
  data: T | null;
  loading: boolean;
  error: string | null;
  reload: () => Promise<void>;
} {
  const [data, setData] = useState<T | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(0);
  const reload = useCallback(async () => {
    const n = ++latest.current;
    setLoading(true);
    try {
      const d = await load();
      if (n !== latest.current) return;
      setData(d);
      setError(null);
    } catch (e) {
      if (n === latest.current) setError(applyProblem(null, e));
    } finally {
      if (n === latest.current) setLoading(false);
    }
  }, [load]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, loading, error, reload };
}
