import { useCallback, useState } from 'react';
import { Alert, Button, Card, Empty, List, Pagination, Segmented, Space, Tag, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { BOARD_LABELS, type BoardStatus } from '@domain/worktasks/rules';
import type { ResponseOf } from '@server/http/contract';
import { deploymentList } from '@server/features/worktasks/contract';
import { call } from '../api';
import { useAuth } from '../auth';
import { PageTitle } from '../Layout';
import { IssueDrawer } from './WorkIssue';
import { when } from '../components/format';
import { emptyWhileLoading, useLoad } from '../components/Loading';

export const STATUS_COLOR: Record<BoardStatus, string> = {
  pending: 'default',
  received: 'processing',
  done: 'success',
  returned: 'warning',
  overdue: 'error',
};
/** A moment in the deployment's zone (components/format.ts). */
export const ymdhm = (s: string | null) => when(s);

/** 通知与任务: what this node received (to receive, answer) and what it issued (with each board's tiles). Cards on every screen: nothing scrolls sideways. */
export default function Work() {
  const { can, me } = useAuth();
  const nav = useNavigate();
  const [params, setParams] = useSearchParams();
  const box = (params.get('box') ?? 'received') as 'received' | 'issued';
  const [page, setPage] = useState(1);
  const [issuing, setIssuing] = useState(false);
  const load = useCallback(() => call(deploymentList, { query: { box, page, pageSize: 20 } }), [box, page]);
  // While the other box loads, its empty state waits: 收到的 said 没有收到通知或任务 under 本级下发的 meanwhile.
  const { data, loading, error } = useLoad<ResponseOf<typeof deploymentList>>(load);
  return (
    <div>
      <PageTitle
        title="通知与任务"
        extra={
          can('data.write') &&
          me!.jurisdiction.level !== 'station' && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setIssuing(true)} data-testid="issue-open">
              下发
            </Button>
          )
        }
      />
      <Segmented
        value={box}
        onChange={(v) => {
          setParams({ box: String(v) });
          setPage(1);
        }}
        options={[
          { value: 'received', label: '收到的' },
          { value: 'issued', label: '本级下发的' },
        ]}
        style={{ marginBottom: 12 }}
      />
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      {error && !data ? null : !loading && data && data.items.length === 0 ? (
        <Empty description={box === 'received' ? '没有收到通知或任务' : '本级尚未下发'} />
      ) : (
        <List
          dataSource={data?.items ?? []}
          loading={loading}
          locale={{ emptyText: emptyWhileLoading(loading) }}
          renderItem={(d) => (
            <List.Item style={{ paddingInline: 0 }}>
              <Card
                size="small"
                hoverable
                style={{ width: '100%' }}
                onClick={() => nav(`/work/${d.id}`)}
                data-testid="work-card"
              >
                <Space wrap size={[6, 4]} style={{ marginBottom: 4 }}>
                  <Tag color={d.kind === 'task' ? 'red' : 'blue'}>{d.kindLabel}</Tag>
                  {d.closedAt ? (
                    <Tag>已撤回</Tag>
                  ) : (
                    d.mine && <Tag color={STATUS_COLOR[d.mine.status]}>{BOARD_LABELS[d.mine.status]}</Tag>
                  )}
                  {d.mine?.late && <Tag color="orange">逾期回复</Tag>}
                </Space>
                <Typography.Text strong style={{ display: 'block', wordBreak: 'break-word' }}>
                  {d.title}
                </Typography.Text>
                <Typography.Text type="secondary" style={{ fontSize: 13 }}>
                  {box === 'received' ? `${d.issuer.name}下发` : `${d.createdByName} 下发于 ${ymdhm(d.createdAt)}`}
                  {d.dueAt ? ` · 截止 ${ymdhm(d.dueAt)}` : ''}
                </Typography.Text>
                {d.counts && !d.closedAt && (
                  <Space wrap size={[6, 4]} style={{ display: 'flex', marginTop: 6 }}>
                    <Tag>共 {d.counts.total}</Tag>
                    <Tag color="success">已办结 {d.counts.done}</Tag>
                    <Tag color="processing">已签收 {d.counts.received}</Tag>
                    <Tag>未签收 {d.counts.pending}</Tag>
                    {d.counts.returned > 0 && <Tag color="warning">退回 {d.counts.returned}</Tag>}
                    {d.counts.overdue > 0 && <Tag color="error">逾期 {d.counts.overdue}</Tag>}
                  </Space>
                )}
              </Card>
            </List.Item>
          )}
        />
      )}
      {data && data.total > 20 && (
        <Pagination
          current={page}
          total={data.total}
          pageSize={20}
          onChange={setPage}
          simple
          style={{ marginTop: 12 }}
        />
      )}
      <IssueDrawer
        open={issuing}
        onClose={() => setIssuing(false)}
        onIssued={(id) => {
          setIssuing(false);
          void nav(`/work/${id}`);
        }}
      />
    </div>
  );
}
