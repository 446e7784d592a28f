import { Progress, Space, Tag, Typography } from 'antd';
import type { Board, Target } from '@server/features/worktasks/contract';

type Area = Board['areas'][number];

/** What the board's list may be narrowed to, beside an area. */
export type StatusFilter = 'all' | 'open' | 'overdue' | 'returned' | 'review';

const STATUS_FILTERS: { key: StatusFilter; label: string; test: (t: Target) => boolean }[] = [
  { key: 'all', label: '全部', test: () => true },
  { key: 'open', label: '未办结', test: (t) => t.status !== 'done' },
  { key: 'overdue', label: '逾期', test: (t) => t.status === 'overdue' },
  { key: 'returned', label: '退回待重报', test: (t) => t.status === 'returned' },
  { key: 'review', label: '待审阅', test: (t) => t.state === 'replied' && !t.acceptedAt },
];

/** The board's targets narrowed to an area (its ids) and a status. */
export function filterTargets(board: Board, area: string | null, status: StatusFilter): Target[] {
  const ids = area ? new Set(board.areas.find((a) => a.code === area)?.targetIds ?? []) : null;
  const test = STATUS_FILTERS.find((f) => f.key === status)!.test;
  return board.targets.filter((t) => (!ids || ids.has(t.id)) && test(t));
}

/** The status chips (they wrap on a phone; nothing scrolls sideways), each with its count. */
export function StatusChips({
  board,
  value,
  onChange,
}: {
  board: Board;
  value: StatusFilter;
  onChange: (v: StatusFilter) => void;
}) {
  return (
    <Space wrap size={[4, 6]} style={{ marginBottom: 8 }} data-testid="board-status-filter">
      {STATUS_FILTERS.filter((f) => f.key !== 'review' || board.kind === 'task').map((f) => (
        <Tag.CheckableTag key={f.key} checked={value === f.key} onChange={() => onChange(f.key)}>
          {f.label} {board.targets.filter(f.test).length}
        </Tag.CheckableTag>
      ))}
    </Space>
  );
}

/** Worth a panel when an area holds more than its own row (its stations, or what it passed down). */
export const areasWorthShowing = (areas: Board['areas']) =>
  areas.length > 1 && areas.some((a) => a.counts.total > 1 || a.passedDown);

/**
 * 各县（区）进度: one bar per direct child of the issuer (a city's counties), the most behind first,
 * with what its own units passed down below; a tap narrows the list to that area.
 */
export function AreaProgress({
  areas,
  title,
  selected,
  onSelect,
}: {
  areas: Board['areas'];
  title: string;
  selected: string | null;
  onSelect: (code: string | null) => void;
}) {
  return (
    <div style={{ marginBottom: 12 }} data-testid="board-areas">
      <Typography.Text strong>{title}</Typography.Text>
      <Typography.Text type="secondary" style={{ marginLeft: 8, fontSize: 12 }}>
        办结比例最低的在前，点击只看该地
      </Typography.Text>
      <div
        style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(240px, 1fr))', gap: 8, marginTop: 8 }}
      >
        {areas.map((a) => (
          <AreaRow
            key={a.code}
            a={a}
            active={selected === a.code}
            onClick={() => onSelect(selected === a.code ? null : a.code)}
          />
        ))}
      </div>
    </div>
  );
}

function AreaRow({ a, active, onClick }: { a: Area; active: boolean; onClick: () => void }) {
  const c = a.counts;
  const pct = c.total ? Math.round((c.done / c.total) * 100) : 0;
  const p = a.passedDown;
  // One line each (name, bar, done/total), a second small one only for what is behind: a phone sees a dozen counties at once.
  return (
    <div
      role="button"
      tabIndex={0}
      onClick={onClick}
      onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && onClick()}
      data-testid="board-area"
      style={{
        borderRadius: 4,
        padding: '2px 6px',
        cursor: 'pointer',
        minWidth: 0,
        background: active ? '#e6f4ff' : undefined,
        outline: active ? '1px solid #1677ff' : undefined,
      }}
    >
      <div style={{ display: 'flex', alignItems: 'center', gap: 8 }}>
        <Typography.Text strong ellipsis style={{ width: '5.5em', flexShrink: 0 }} title={a.name}>
          {a.name}
        </Typography.Text>
        <Progress
          percent={pct}
          size="small"
          showInfo={false}
          status={c.overdue > 0 ? 'exception' : pct === 100 ? 'success' : 'normal'}
          aria-label={`${a.name}办结 ${pct}%`}
          style={{ flex: 1, margin: 0, minWidth: 40 }}
        />
        <Typography.Text type="secondary" style={{ flexShrink: 0, fontSize: 12 }}>
          办结 {c.done}/{c.total}
        </Typography.Text>
      </div>
      {(c.overdue > 0 || c.returned > 0 || c.received > 0 || p) && (
        <div style={{ fontSize: 12, color: 'rgba(0,0,0,0.65)', paddingLeft: 'calc(5.5em + 8px)' }}>
          {[
            c.overdue > 0 && (
              <span key="o" style={{ color: '#cf1322' }}>
                逾期 {c.overdue}
              </span>
            ),
            c.returned > 0 && (
              <span key="r" style={{ color: '#d48806' }}>
                退回 {c.returned}
              </span>
            ),
            c.received > 0 && <span key="h">办理中 {c.received}</span>,
            p && (
              <span key="p" style={{ color: p.overdue > 0 ? '#cf1322' : undefined }}>
                转派下级办结 {p.done}/{p.total}
                {p.overdue > 0 ? `，逾期 ${p.overdue}` : ''}
              </span>
            ),
          ]
            .filter(Boolean)
            .map((x, i) => (
              <span key={i}>
                {i > 0 && ' · '}
                {x}
              </span>
            ))}
        </div>
      )}
    </div>
  );
}
