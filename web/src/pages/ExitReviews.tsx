import { useCallback, useState } from 'react';
import { Alert, App, Button, Card, Empty, Form, Input, Segmented, Space, Tag, Typography } from 'antd';
import { Link } from 'react-router-dom';
import { call, withQuery } from '../api';
import { useAuth } from '../auth';
import { PageTitle } from '../Layout';
import { FormModal } from '../components/FormModal';
import { zodRule } from '../components/zodRule';
import type { BodyOf } from '@server/http/contract';
import {
  EXIT_LIST_LIMIT,
  exportExitReviews,
  liftExit,
  listExitReviews,
  reviewExit,
  type ExitReviewRow as Review,
} from '@server/features/exit/contract';
import { when } from '../components/format';
import { Loaded, useLoad } from '../components/Loading';
import { DownloadButton } from '../components/DownloadButton';

const STATE_COLOR: Record<Review['state'], string> = {
  open: 'red',
  reviewed: 'orange',
  lift_pending: 'blue',
  closed: 'default',
};

/**
 * 退出复核: entities deregistered, revoked or on a credit list — their 三亮 plaques suspended (the
 * public page says 暂停公示), honours and points flagged — and those whose cause is gone, waiting
 * for staff to confirm the plaques' return. Cards, so a clerk can work it on a phone.
 */
export default function ExitReviews() {
  const { can } = useAuth();
  const { message } = App.useApp();
  const [state, setState] = useState<'live' | 'reviewed' | 'closed'>('live');
  const [acting, setActing] = useState<{ review: Review; action: 'review' | 'lift' } | null>(null);
  // A list that could not be read says so: it said 没有需要处理的退出复核.
  const {
    data: items,
    loading,
    error,
    reload: load,
  } = useLoad(useCallback(() => call(listExitReviews, { query: { state } }).then((r) => r.items), [state]));
  return (
    <div>
      <PageTitle
        title="退出复核"
        extra={
          <DownloadButton href={withQuery(`/api/v1${exportExitReviews.path}`, { state })}>导出 Excel</DownloadButton>
        }
      />
      <Typography.Paragraph type="secondary">
        主体注销、吊销或列入经营异常名录、严重违法失信名单时，其三亮牌匾自动暂停公示，荣誉与联系点标记待复核；移出名单或恢复存续后，经确认恢复公示。
      </Typography.Paragraph>
      <Segmented
        style={{ marginBottom: 12 }}
        value={state}
        onChange={(v) => setState(v as typeof state)}
        options={[
          { label: '待处理', value: 'live' },
          { label: '已复核', value: 'reviewed' },
          { label: '已结束', value: 'closed' },
        ]}
      />
      <Loaded data={loading ? null : items} error={error}>
        {(items) =>
          items.length === 0 ? (
            <Empty description="没有需要处理的退出复核" />
          ) : (
            <>
              {items.length >= EXIT_LIST_LIMIT && (
                <Alert
                  type="info"
                  showIcon
                  style={{ marginBottom: 12 }}
                  title={`这里显示最近发起的 ${EXIT_LIST_LIMIT} 条；全部记录请导出 Excel。`}
                />
              )}
              {items.map((r) => (
                <Card
                  key={r.id}
                  size="small"
                  style={{ marginBottom: 12 }}
                  data-review={r.id}
                  title={
                    <Space wrap size={4}>
                      <Link to={`/entities/${r.entityId}`}>{r.entityName}</Link>
                      <Tag color={STATE_COLOR[r.state]}>{r.stateLabel}</Tag>
                    </Space>
                  }
                  extra={
                    can('data.write') && (
                      <Space wrap>
                        {r.actions.includes('review') && (
                          <Button size="small" onClick={() => setActing({ review: r, action: 'review' })}>
                            复核
                          </Button>
                        )}
                        {r.actions.includes('lift') && (
                          <Button size="small" type="primary" onClick={() => setActing({ review: r, action: 'lift' })}>
                            确认恢复公示
                          </Button>
                        )}
                      </Space>
                    )
                  }
                >
                  <div style={{ overflowWrap: 'anywhere' }}>
                    <div>
                      <Typography.Text strong>{r.causeLabel}</Typography.Text>：{r.reason}
                    </div>
                    <div>
                      <Typography.Text type="secondary">
                        发生于 {when(r.openedAt)}
                        {r.clearedAt ? ` · 原因消除于 ${when(r.clearedAt)}` : ''}
                        {r.suspends ? '' : ' · 按设置不暂停牌匾'}
                      </Typography.Text>
                    </div>
                    {r.reviewNote && <div>复核意见：{r.reviewNote}</div>}
                    {r.closeNote && <div>恢复说明：{r.closeNote}</div>}
                    <Space wrap size={4} style={{ marginTop: 4 }}>
                      {r.effects.map((e, i) => (
                        <Tag key={i}>
                          {e.label}
                          {e.objectLabel ? ` ${e.objectLabel}` : ''}
                        </Tag>
                      ))}
                    </Space>
                  </div>
                </Card>
              ))}
            </>
          )
        }
      </Loaded>
      {acting && (
        <FormModal<BodyOf<typeof reviewExit>>
          title={
            acting.action === 'review'
              ? `复核：${acting.review.entityName}`
              : `确认恢复公示：${acting.review.entityName}`
          }
          okText={acting.action === 'review' ? '保存复核意见' : '确认恢复'}
          onClose={() => setActing(null)}
          onSubmit={async (v) => {
            await call(acting.action === 'review' ? reviewExit : liftExit, {
              params: { id: acting.review.id },
              body: { note: v.note },
            });
            message.success(acting.action === 'review' ? '已记录复核意见，牌匾继续暂停公示' : '已恢复公示');
            setActing(null);
            void load();
          }}
        >
          <Form.Item
            name="note"
            label={acting.action === 'review' ? '复核意见' : '恢复说明'}
            rules={[
              { required: true, message: acting.action === 'review' ? '请填写复核意见' : '请填写恢复说明' },
              zodRule(reviewExit.body.shape.note),
            ]}
          >
            <Input.TextArea rows={3} maxLength={500} showCount />
          </Form.Item>
        </FormModal>
      )}
    </div>
  );
}
