import { useState } from 'react';
import { Alert, Badge, Card, Empty, List, Segmented, Space, Tag, Typography } from 'antd';
import { RightOutlined } from '@ant-design/icons';
import { useNavigate } from 'react-router-dom';
import { URGENCY_LABELS, type Urgency } from '@domain/worktasks/todo';
import { getTodos, type TodoItem } from '@server/features/workbench/contract';
import { call } from '../api';
import { when } from '../components/format';
import { emptyWhileLoading, useLoad } from '../components/Loading';

const loadTodos = () => call(getTodos).then((r) => r.items);

const COLOR: Record<Urgency, string> = { overdue: 'error', due_soon: 'warning', new: 'processing', normal: 'default' };

/** 今日待办: what this account's node must do, in due order, each one click from where to do it. Cards: readable on a phone. */
export function TodoList() {
  const nav = useNavigate();
  // A list that could not be read says so: it said 没有待办事项.
  const { data: items, error } = useLoad<TodoItem[]>(loadTodos);
  const [filter, setFilter] = useState<'all' | 'urgent'>('all');
  const shown = (items ?? []).filter((i) => filter === 'all' || i.urgency === 'overdue' || i.urgency === 'due_soon');
  const urgent = (items ?? []).filter((i) => i.urgency === 'overdue' || i.urgency === 'due_soon').length;
  return (
    <Card
      size="small"
      style={{ marginBottom: 16 }}
      data-testid="todo"
      title={
        <Space>
          今日待办
          <Badge count={items?.length ?? 0} showZero color="#c62828" />
        </Space>
      }
      extra={
        <Segmented
          size="small"
          value={filter}
          onChange={(v) => setFilter(v as 'all' | 'urgent')}
          options={[
            { value: 'all', label: '全部' },
            { value: 'urgent', label: `紧急 ${urgent}` },
          ]}
        />
      }
    >
      {error ? (
        <Alert type="error" showIcon title={`待办事项未能读取：${error}`} />
      ) : items && shown.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="没有待办事项" />
      ) : (
        <List
          loading={!items}
          locale={{ emptyText: emptyWhileLoading(!items) }}
          dataSource={shown}
          renderItem={(i) => (
            <List.Item
              style={{ paddingInline: 0, cursor: 'pointer' }}
              onClick={() => nav(i.link)}
              data-testid="todo-item"
              extra={<RightOutlined style={{ color: '#bbb' }} />}
            >
              <div style={{ minWidth: 0, flex: 1 }}>
                <Space wrap size={[6, 2]}>
                  <Tag color={COLOR[i.urgency]}>{URGENCY_LABELS[i.urgency]}</Tag>
                  <Tag>{i.kindLabel}</Tag>
                  {i.dueAt && (
                    <Typography.Text type={i.urgency === 'overdue' ? 'danger' : 'secondary'} style={{ fontSize: 12 }}>
                      截止 {when(i.dueAt)}
                    </Typography.Text>
                  )}
                </Space>
                <Typography.Text strong style={{ display: 'block', wordBreak: 'break-word' }}>
                  {i.title}
                </Typography.Text>
                {i.detail && (
                  <Typography.Text type="secondary" style={{ fontSize: 13, wordBreak: 'break-word' }}>
                    {i.detail}
                  </Typography.Text>
                )}
              </div>
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}
