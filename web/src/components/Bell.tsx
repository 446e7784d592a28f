import { useCallback, useEffect, useState } from 'react';
import { Badge, Button, Dropdown, Empty, Typography } from 'antd';
import { BellOutlined } from '@ant-design/icons';
import { useNavigate } from 'react-router-dom';
import {
  listNotifications,
  readAllNotifications,
  readNotification,
  type Notification,
} from '@server/features/workbench/contract';
import { call } from '../api';
import { when } from './format';

/** The bell in the shell: unread count (checked every minute and on opening), the latest messages, the daily digest. */
export function Bell() {
  const nav = useNavigate();
  const [unread, setUnread] = useState(0);
  const [items, setItems] = useState<Notification[]>([]);
  const load = useCallback(
    () =>
      call(listNotifications, { query: { limit: 8 } }).then(
        (r) => {
          setUnread(r.unread);
          setItems(r.items);
        },
        () => undefined,
      ),
    [],
  );
  useEffect(() => {
    void load();
    const t = setInterval(() => void load(), 60_000);
    return () => clearInterval(t);
  }, [load]);
  const open = async (n: Notification) => {
    if (!n.read) await call(readNotification, { params: { id: n.id } }).catch(() => undefined);
    void load();
    if (n.link) void nav(n.link);
  };
  return (
    <Dropdown
      trigger={['click']}
      onOpenChange={(o) => o && void load()}
      menu={{
        style: { maxWidth: 'min(360px, 92vw)' },
        items: [
          ...(items.length === 0
            ? [
                {
                  key: 'none',
                  disabled: true,
                  label: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="暂无消息" />,
                },
              ]
            : items.map((n) => ({
                key: String(n.id),
                label: (
                  <div style={{ whiteSpace: 'normal', fontWeight: n.read ? 400 : 600 }}>
                    {n.title}
                    <div>
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {when(n.createdAt)}
                      </Typography.Text>
                    </div>
                  </div>
                ),
                onClick: () => void open(n),
              }))),
          { type: 'divider' as const },
          { key: 'all', label: '全部已读', onClick: () => void call(readAllNotifications).then(() => load()) },
          { key: 'digest', label: '每日摘要', onClick: () => void nav('/notifications') },
        ],
      }}
    >
      <Badge count={unread} size="small" offset={[-4, 4]}>
        <Button type="text" icon={<BellOutlined />} aria-label={`消息，${unread} 条未读`} data-testid="bell" />
      </Badge>
    </Dropdown>
  );
}
