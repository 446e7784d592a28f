import { useCallback, useState } from 'react';
import { Button, Card, DatePicker, Empty, List, Space, Tag, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { getDigest, readAllNotifications, type Digest } from '@server/features/workbench/contract';
import { call } from '../api';
import { PageTitle, Link } from '../Layout';
import { timeOf, today } from '../components/format';
import { Loaded, useLoad } from '../components/Loading';

/** 每日摘要: a day's messages grouped by kind (the bell shows the latest). */
export default function DigestPage() {
  const [day, setDay] = useState<Dayjs>(today());
  // Another day's messages are not shown under this day's date while it loads (nor a blank page before the first).
  const {
    data,
    loading,
    error,
    reload: load,
  } = useLoad<Digest>(useCallback(() => call(getDigest, { query: { day: day.format('YYYY-MM-DD') } }), [day]));
  return (
    <div>
      <PageTitle
        title="消息 · 每日摘要"
        extra={
          <Space wrap>
            <DatePicker value={day} onChange={(d) => d && setDay(d)} allowClear={false} />
            <Button onClick={() => void call(readAllNotifications).then(load)}>全部已读</Button>
          </Space>
        }
      />
      <Loaded data={loading ? null : data} error={error}>
        {(data) => (
          <>
            {data.groups.length === 0 && <Empty description={`${data.day} 没有消息`} />}
            {data.groups.map((g) => (
              <Card
                key={g.kind}
                size="small"
                title={
                  <Space>
                    {g.label}
                    <Tag>{g.count}</Tag>
                  </Space>
                }
                style={{ marginBottom: 12 }}
              >
                <List
                  size="small"
                  dataSource={g.items}
                  renderItem={(n) => (
                    <List.Item style={{ paddingInline: 0 }}>
                      <div style={{ minWidth: 0, wordBreak: 'break-word' }}>
                        {n.link ? <Link to={n.link}>{n.title}</Link> : n.title}
                        {!n.read && (
                          <Tag color="red" style={{ marginLeft: 6 }}>
                            未读
                          </Tag>
                        )}
                        <div>
                          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                            {timeOf(n.createdAt)}
                            {n.body ? ` · ${n.body}` : ''}
                          </Typography.Text>
                        </div>
                      </div>
                    </List.Item>
                  )}
                />
              </Card>
            ))}
          </>
        )}
      </Loaded>
    </div>
  );
}
