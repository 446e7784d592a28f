import type { Key, ReactNode } from 'react';
import { Card, Checkbox, Grid, List, Space, Typography } from 'antd';
import { Table, type TableColumnType, type TableProps } from 'antd';
import { emptyWhileLoading, ListError } from './Loading';

/** What a row shows as a card on a phone: its title, status and deadline always visible. */
export type CardView = {
  title: ReactNode;
  status?: ReactNode;
  /** The deadline or the date that matters most (提交时间, 成立日期 …), with its label. */
  due?: { label: string; value: ReactNode };
  /** Further short lines, one per row of the card. */
  lines?: ReactNode[];
};

/**
 * A list's refusal: given, the list shows it with a 重试 button where its rows or its empty text
 * would stand (a list that could not be read is not a list with nothing in it).
 */
type Failure = { error?: undefined; onRetry?: undefined } | { error: string | null; onRetry: () => unknown };

type TableOf<T> = TableProps<T> & Failure;

type Props<T> = TableOf<T> & {
  card: (row: T, index: number) => CardView;
  /** One tap on the whole card (a thumb needs a big target) opens the row. */
  onOpen?: (row: T) => void;
};

/**
 * What a list shows where its rows would stand once it has none to show: 正在加载… while they are
 * on the way, its refusal and 重试 when it could not be read, else its own empty text. A refused
 * list shows no rows (those left are an earlier page's or filter's) and no pager.
 */
function emptyState<T>({ loading, locale, dataSource, pagination }: TableProps<T>, { error, onRetry }: Failure) {
  const waiting = typeof loading === 'boolean' ? loading : !!loading?.spinning;
  const given = locale?.emptyText;
  const text = error ? <ListError error={error} onRetry={onRetry} /> : given;
  return {
    waiting,
    rows: error ? [] : dataSource,
    pagination: error ? (false as const) : pagination,
    emptyText: emptyWhileLoading(waiting, typeof text === 'function' ? text() : text),
  };
}

/**
 * A list's table: while its rows are on the way it says 正在加载…, not 暂无数据 or the list's
 * own "nothing here yet" text under the spinner (the table of ListOrCards on a wide screen, and
 * the lists that are a table on every screen); its refusal with 重试 when it could not be read.
 */
export function ListTable<T extends object>(props: TableOf<T>) {
  const { error: _error, onRetry: _onRetry, ...table } = props;
  const shown = emptyState(table, props);
  return (
    <Table<T>
      {...table}
      dataSource={shown.rows}
      pagination={shown.pagination}
      locale={{ ...table.locale, emptyText: shown.emptyText }}
    />
  );
}

/**
 * The one list of the clerk's pages: a table on a wide screen, cards on a phone (below antd's `md`),
 * so status and deadline never hide in a column scrolled out of sight and nothing scrolls sideways.
 * A list whose rows are chosen (rowSelection) shows a 选择 box on each card and 全选本页 above them.
 */
export function ListOrCards<T extends object>(props: Props<T>) {
  const { card, onOpen, ...table } = props;
  const screens = Grid.useBreakpoint();
  // Before the first measurement useBreakpoint is empty; fall back on the window's width.
  const phone = Object.keys(screens).length ? !screens.md : window.innerWidth < 768;
  if (!phone) {
    return (
      <ListTable<T>
        {...table}
        onRow={onOpen ? (r) => ({ onClick: () => onOpen(r), style: { cursor: 'pointer' } }) : table.onRow}
      />
    );
  }
  const rowKey = table.rowKey;
  const rawKey = (r: T, i: number): Key =>
    typeof rowKey === 'function' ? rowKey(r, i) : rowKey ? (r as Record<string, Key>)[rowKey as string] : i;
  const keyOf = (r: T, i: number) => String(rawKey(r, i));
  const shown = emptyState(table, props);
  const tp = shown.pagination;
  const rows = shown.rows ? [...shown.rows] : [];
  // Rows chosen as the table chooses them (rowSelection): of the rows shown, the keys as the rows give them.
  const choosing = table.rowSelection;
  const chosen = new Set((choosing?.selectedRowKeys ?? []).map(String));
  const choose = (pick: (r: T, i: number) => boolean) => {
    const picked = rows.filter(pick);
    choosing?.onChange?.(
      picked.map((r) => rawKey(r, rows.indexOf(r))),
      picked,
      { type: 'multiple' },
    );
  };
  const allHere = rows.length > 0 && rows.every((r, i) => chosen.has(keyOf(r, i)));
  const someHere = rows.some((r, i) => chosen.has(keyOf(r, i)));
  // An empty list shows its empty text, not a pager reading 共 0 条 1 / 0.
  const pagination =
    tp && tp.total
      ? {
          current: tp.current,
          pageSize: tp.pageSize,
          total: tp.total,
          onChange: tp.onChange,
          showTotal: tp.showTotal,
          size: 'small' as const,
          simple: true,
          align: 'center' as const,
        }
      : false;
  // While the rows are on the way the list says so, not that there are none.
  const empty = shown.emptyText;
  return (
    <List<T>
      loading={shown.waiting}
      dataSource={rows}
      header={
        choosing && rows.length > 0 ? (
          <Checkbox
            checked={allHere}
            indeterminate={someHere && !allHere}
            onChange={(e) => choose(() => e.target.checked)}
            data-testid="card-choose-all"
          >
            全选本页{chosen.size ? `（已选 ${chosen.size}）` : ''}
          </Checkbox>
        ) : undefined
      }
      pagination={pagination}
      locale={empty ? { emptyText: empty } : undefined}
      rowKey={(r) => keyOf(r, 0)}
      renderItem={(r, i) => {
        const v = card(r, i);
        return (
          <List.Item key={keyOf(r, i)} style={{ padding: '6px 0', border: 'none' }}>
            <Card
              size="small"
              hoverable={!!onOpen}
              style={{ width: '100%', minWidth: 0 }}
              onClick={onOpen ? () => onOpen(r) : undefined}
              data-testid="list-card"
            >
              <div style={{ display: 'flex', justifyContent: 'space-between', gap: 8, alignItems: 'flex-start' }}>
                {choosing && (
                  // A box of its own: choosing a row does not open it.
                  <span onClick={(e) => e.stopPropagation()}>
                    <Checkbox
                      checked={chosen.has(keyOf(r, i))}
                      aria-label="选择"
                      onChange={(e) => choose((o, j) => (j === i ? e.target.checked : chosen.has(keyOf(o, j))))}
                      data-testid="card-choose"
                    />
                  </span>
                )}
                <Typography.Text strong style={{ minWidth: 0, flex: 1, overflowWrap: 'anywhere' }}>
                  {v.title}
                </Typography.Text>
                {v.status && (
                  <div style={{ flexShrink: 0, maxWidth: '50%', textAlign: 'right' }} data-testid="card-status">
                    {v.status}
                  </div>
                )}
              </div>
              {v.due && (
                <div style={{ marginTop: 4 }} data-testid="card-due">
                  <Typography.Text type="secondary">{v.due.label}：</Typography.Text>
                  {v.due.value}
                </div>
              )}
              {v.lines && v.lines.length > 0 && (
                <Space direction="vertical" size={0} style={{ marginTop: 4, width: '100%', minWidth: 0 }}>
                  {v.lines.map((l, j) => (
                    <div key={j} style={{ overflowWrap: 'anywhere', color: 'rgba(0,0,0,0.65)' }}>
                      {l}
                    </div>
                  ))}
                </Space>
              )}
            </Card>
          </List.Item>
        );
      }}
    />
  );
}

/** What a column shows for a row: its render when it has one, else the row's value under its dataIndex. */
function cellOf<T>(column: TableColumnType<T>, row: T, index: number): ReactNode {
  const key = column.dataIndex;
  const value = typeof key === 'string' || typeof key === 'number' ? (row as Record<string, unknown>)[key] : undefined;
  const shown = column.render ? column.render(value, row, index) : value;
  // A render may answer with a cell's props ({ children, props }); the card wants what it shows.
  return (
    shown && typeof shown === 'object' && 'children' in shown && !('$$typeof' in shown) ? shown.children : shown
  ) as ReactNode;
}

/**
 * A figures table's row as a card: its first column (the name) the title, every other column a
 * 标题 figure pair in two columns beneath, as the table renders them (links and all).
 */
function cardOfColumns<T>(columns: TableColumnType<T>[]): (row: T, index: number) => CardView {
  const [name, ...figures] = columns;
  return (row, index) => ({
    title: cellOf(name, row, index),
    lines: [
      <div
        key="figures"
        data-testid="card-figures"
        style={{ display: 'grid', gridTemplateColumns: 'repeat(2, minmax(0, 1fr))', columnGap: 12 }}
      >
        {figures.map((c, j) => (
          <div key={j}>
            <Typography.Text type="secondary">{typeof c.title === 'function' ? null : c.title}</Typography.Text>{' '}
            {cellOf(c, row, index)}
          </div>
        ))}
      </div>,
    ],
  });
}

/**
 * A table of figures, one row a node (a station, a county, a category), the name first: a table on
 * a wide screen, on a phone a card a row with its figures beneath the name, so a row's figures are
 * read without scrolling the table sideways (the dashboard's, coverage's and the figure cards'
 * per-station tables did, 组织覆盖率 out of sight).
 */
export function FiguresTable<T extends object>({
  columns,
  ...props
}: Omit<TableProps<T>, 'columns'> & { columns: TableColumnType<T>[]; onOpen?: (row: T) => void }) {
  return <ListOrCards<T> {...props} columns={columns} card={cardOfColumns(columns)} />;
}
