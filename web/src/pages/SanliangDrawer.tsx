import {
  Alert,
  App,
  AutoComplete,
  Button,
  Descriptions,
  Drawer,
  Empty,
  Form,
  Input,
  Popconfirm,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { PrinterOutlined, QrcodeOutlined } from '@ant-design/icons';
import { Link } from 'react-router-dom';
import { call } from '../api';
import {
  deleteRecord,
  getRecord,
  issuePlaque,
  reissuePlaque,
  revokePlaque,
  updateRecord,
  type PlaqueRow,
} from '@server/features/sanliang/contract';
import { useAuth } from '../auth';
import { applyProblem } from '../components/problem';
import { drawerSize } from '../components/drawer';
import { FormModal } from '../components/FormModal';
import { EXIT_REASONS, REISSUE_REASONS } from '@domain/sanliang/plaque';
import { useRecord } from '../components/hooks';
import { Loaded } from '../components/Loading';

type Plaque = PlaqueRow;
type Acting = { kind: 'revoke' | 'reissue'; plaque: Plaque } | { kind: 'edit' };

/** What the reason dialogs say: revoking is the exit (the record ends), reissuing keeps it. */
const REASON_DIALOG = {
  revoke: {
    title: '撤销牌匾',
    ok: '撤销牌匾',
    hint: '撤销即退出：持牌人不再符合条件时使用，三亮记录随之退出，公开核验页将显示"已撤销"。',
    options: EXIT_REASONS,
    done: '已撤销牌匾',
  },
  reissue: {
    title: '补发牌匾',
    ok: '补发',
    hint: '原牌匾作废并发放新编号，三亮记录保持有效。请收回原牌匾。',
    options: REISSUE_REASONS,
    done: '已补发新牌匾',
  },
} as const;

export function SanliangDrawer({ id, onClose, onChanged }: { id: number; onClose: () => void; onChanged: () => void }) {
  const { can } = useAuth();
  const { message } = App.useApp();
  const { d, error, acting, setActing, done } = useRecord<typeof getRecord, Acting>(getRecord, { id }, onChanged);
  const write = can('data.write');
  const valid = d?.plaques.find((p) => p.state === 'valid');

  return (
    <Drawer
      open
      size={drawerSize()}
      onClose={onClose}
      title={
        d ? (
          <Space wrap size={4}>
            {d.entityName} · {d.kindLabel}
            <Tag color={d.status === 'active' ? 'red' : 'default'}>{d.statusLabel}</Tag>
          </Space>
        ) : (
          '三亮记录'
        )
      }
      footer={
        d &&
        write && (
          <Space wrap>
            {d.actions.includes('issue') && (
              <Button
                type="primary"
                onClick={() =>
                  call(issuePlaque, { params: { id: d.id } }).then(
                    (p) => done(`已发放牌匾 ${p.number}`),
                    (e) => message.error(applyProblem(null, e)),
                  )
                }
              >
                发放牌匾
              </Button>
            )}
            {valid && d.actions.includes('reissue') && (
              <Button onClick={() => setActing({ kind: 'reissue', plaque: valid })}>补发</Button>
            )}
            {valid && d.actions.includes('revoke') && (
              <Button danger onClick={() => setActing({ kind: 'revoke', plaque: valid })}>
                撤销牌匾（退出）
              </Button>
            )}
            {d.status === 'active' && <Button onClick={() => setActing({ kind: 'edit' })}>修改</Button>}
            {d.plaques.length === 0 && (
              <Popconfirm
                title="删除这条误录的记录？"
                okText="删除"
                okButtonProps={{ danger: true }}
                onConfirm={() =>
                  call(deleteRecord, { params: { id: d.id } }).then(
                    () => {
                      message.success('已删除');
                      onChanged();
                      onClose();
                    },
                    (e) => message.error(applyProblem(null, e)),
                  )
                }
              >
                <Button type="text" danger>
                  删除
                </Button>
              </Popconfirm>
            )}
          </Space>
        )
      }
    >
      <Loaded data={d} error={error}>
        {(d) => (
          <>
            {d.needsReview && (
              <Alert
                type="warning"
                showIcon
                title="该市场主体已不在营业（注销、吊销或迁出），请复核：不再符合条件的，撤销牌匾（退出）。"
                style={{ marginBottom: 12 }}
              />
            )}
            {d.status === 'withdrawn' && (
              <Alert
                type="warning"
                showIcon
                title={`已于 ${d.withdrawnOn} 退出：${d.withdrawReason ?? ''}`}
                style={{ marginBottom: 12 }}
              />
            )}
            <Descriptions
              size="small"
              bordered
              column={1}
              styles={{ label: { whiteSpace: 'nowrap', width: 110 } }}
              items={[
                { label: '党员', children: d.memberName ?? '（名册不在本辖区）' },
                { label: '市场主体', children: <Link to={`/entities/${d.entityId}`}>{d.entityName}</Link> },
                { label: '县区 / 基层所', children: `${d.countyName}${d.stationName ? ` / ${d.stationName}` : ''}` },
                ...(d.postName ? [{ label: '岗位', children: d.postName }] : []),
                {
                  label: '亮职责',
                  children: (
                    <Typography.Paragraph style={{ margin: 0, whiteSpace: 'pre-wrap' }}>
                      {d.duties}
                    </Typography.Paragraph>
                  ),
                },
                {
                  label: '亮承诺',
                  children: (
                    <Typography.Paragraph style={{ margin: 0, whiteSpace: 'pre-wrap' }}>
                      {d.commitment}
                    </Typography.Paragraph>
                  ),
                },
                { label: '亮牌日期', children: d.shownOn },
              ]}
            />
            <Typography.Title level={5} style={{ marginTop: 16 }}>
              牌匾
            </Typography.Title>
            {d.plaques.length === 0 ? (
              <Empty description={d.status === 'active' ? '尚未发牌。核实后点击下方"发放牌匾"。' : '未发过牌匾'} />
            ) : (
              <Table<Plaque>
                rowKey="id"
                size="small"
                pagination={false}
                dataSource={d.plaques}
                scroll={{ x: 560 }}
                columns={[
                  {
                    title: '编号',
                    dataIndex: 'number',
                    width: 190,
                    render: (n: string) => <Typography.Text copyable>{n}</Typography.Text>,
                  },
                  {
                    title: '状态',
                    dataIndex: 'state',
                    width: 80,
                    render: (s: string, p) => <Tag color={s === 'valid' ? 'green' : 'default'}>{p.stateLabel}</Tag>,
                  },
                  {
                    title: '发放 / 撤销',
                    key: 'dates',
                    render: (_, p) => (
                      <Space direction="vertical" size={0}>
                        {`${p.issuedOn} 发放`}
                        {p.revokedOn && (
                          <Typography.Text type="secondary">{`${p.revokedOn} 撤销：${p.revokeReason}`}</Typography.Text>
                        )}
                      </Space>
                    ),
                  },
                  {
                    title: '',
                    key: 'print',
                    width: 150,
                    render: (_, p) =>
                      p.state === 'valid' && (
                        <Space size={4}>
                          <Link to={`/sanliang/print/${p.id}`}>
                            <Button size="small" icon={<PrinterOutlined />}>
                              打印
                            </Button>
                          </Link>
                          <Button
                            size="small"
                            icon={<QrcodeOutlined />}
                            href={`/api/v1/plaques/${p.id}/qr.png`}
                            target="_blank"
                            aria-label="二维码"
                          />
                        </Space>
                      ),
                  },
                ]}
              />
            )}
            <Typography.Title level={5} style={{ marginTop: 16 }}>
              群众反映
            </Typography.Title>
            {d.feedback.length === 0 ? (
              <Typography.Text type="secondary">暂无反映。</Typography.Text>
            ) : (
              d.feedback.map((f) => (
                <Alert
                  key={f.id}
                  type={f.state === 'open' ? 'warning' : 'info'}
                  style={{ marginBottom: 8 }}
                  title={
                    <Space wrap size={4}>
                      <Tag>{f.categoryLabel}</Tag>
                      {f.content}
                    </Space>
                  }
                  description={
                    f.state === 'open'
                      ? `${f.stateLabel} · ${f.createdAt.slice(0, 10)} · 牌匾 ${f.number} · 回执号 ${f.receipt}`
                      : `${f.stateLabel}：${f.handlingNote}`
                  }
                />
              ))
            )}
          </>
        )}
      </Loaded>
      {d && acting && acting.kind !== 'edit' && (
        <FormModal<{ reason: string }>
          title={`${REASON_DIALOG[acting.kind].title}：${acting.plaque.number}`}
          okText={REASON_DIALOG[acting.kind].ok}
          danger={acting.kind === 'revoke'}
          onClose={() => setActing(null)}
          onSubmit={async (v) => {
            const args = { params: { id: acting.plaque.id }, body: v };
            let number: string | null = null;
            if (acting.kind === 'reissue') number = (await call(reissuePlaque, args)).number;
            else await call(revokePlaque, args);
            done(number ? `${REASON_DIALOG[acting.kind].done}：${number}` : REASON_DIALOG[acting.kind].done);
          }}
        >
          <Alert
            type={acting.kind === 'revoke' ? 'warning' : 'info'}
            showIcon
            title={REASON_DIALOG[acting.kind].hint}
            style={{ marginBottom: 12 }}
          />
          <Form.Item
            name="reason"
            label={acting.kind === 'revoke' ? '撤销原因' : '补发原因'}
            rules={[
              { required: true, min: 2, message: acting.kind === 'revoke' ? '请填写撤销原因' : '请填写补发原因' },
            ]}
          >
            <AutoComplete
              options={REASON_DIALOG[acting.kind].options.map((o) => ({ value: o }))}
              placeholder="选择或填写原因"
              maxLength={200}
            />
          </Form.Item>
        </FormModal>
      )}
      {d && acting?.kind === 'edit' && (
        <FormModal<{ postName?: string; duties: string; commitment: string }>
          title="修改三亮记录"
          okText="保存"
          onClose={() => setActing(null)}
          initialValues={{ postName: d.postName ?? undefined, duties: d.duties, commitment: d.commitment }}
          onSubmit={async (v) => {
            await call(updateRecord, {
              params: { id: d.id },
              body: { ...v, postName: d.kind === 'member_post' ? v.postName : undefined },
            });
            done('已保存');
          }}
        >
          {d.kind === 'member_post' && (
            <Form.Item name="postName" label="岗位名称" rules={[{ required: true, message: '请填写岗位名称' }]}>
              <Input maxLength={40} />
            </Form.Item>
          )}
          <Form.Item name="duties" label="亮职责" rules={[{ required: true, min: 2, message: '请填写亮职责的内容' }]}>
            <Input.TextArea rows={3} maxLength={500} showCount />
          </Form.Item>
          <Form.Item name="commitment" label="亮承诺" rules={[{ required: true, min: 2, message: '请填写承诺内容' }]}>
            <Input.TextArea rows={3} maxLength={1000} showCount />
          </Form.Item>
        </FormModal>
      )}
    </Drawer>
  );
}
