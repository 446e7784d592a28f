import { App, Card, Popconfirm, Tag } from 'antd';
import { endSession, listSessions } from '@server/features/accounts/contract';
import type { ItemOf } from '@server/http/contract';
import { call } from '../api';
import { PageTitle } from '../Layout';
import { usePaged } from '../components/usePaged';
import { applyProblem } from '../components/problem';
import { when } from '../components/format';
import { ListTable } from '../components/ListOrCards';

export default function Sessions() {
  const { message } = App.useApp();
  const list = usePaged(listSessions, {});
  return (
    <div>
      <PageTitle title="在线会话" />
      <Card size="small">
        <ListTable<ItemOf<typeof listSessions>>
          error={list.error}
          onRetry={list.reload}
          rowKey="id"
          loading={list.loading}
          dataSource={list.items}
          pagination={list.pagination}
          scroll={{ x: 860 }}
          locale={{ emptyText: '当前没有在线会话' }}
          columns={[
            { title: '账号', dataIndex: 'username' },
            { title: '姓名', dataIndex: 'displayName' },
            {
              title: '状态',
              dataIndex: 'stage',
              render: (s: string) => (s === 'full' ? <Tag color="green">已登录</Tag> : <Tag color="gold">登录中</Tag>),
            },
            { title: 'IP', dataIndex: 'ip' },
            { title: '登录时间', dataIndex: 'createdAt', render: when },
            { title: '最近活动', dataIndex: 'lastSeenAt', render: when },
            {
              title: '操作',
              key: 'op',
              render: (_, s) => (
                <Popconfirm
                  title={`强制 ${s.displayName} 下线？`}
                  onConfirm={() =>
                    call(endSession, { params: { id: s.id } }).then(
                      () => {
                        message.success('已强制下线');
                        void list.reload();
                      },
                      (e) => message.error(applyProblem(null, e)),
                    )
                  }
                >
                  <a>强制下线</a>
                </Popconfirm>
              ),
            },
          ]}
        />
      </Card>
    </div>
  );
}
