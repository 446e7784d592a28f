import { useCallback, useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Form,
  Input,
  InputNumber,
  Modal,
  Select,
  Space,
  Tag,
  Typography,
} from 'antd';
import { SERVICE_PERMISSIONS } from '@domain/auth/service';
import type { BodyOf } from '@server/http/contract';
import {
  createServiceAccount,
  listServiceAccounts,
  registerCertificate,
  removeCertificate,
  revokeBody,
  revokeServiceAccount,
  rotateToken,
  serviceAccountCreate,
  updateServiceAccount,
  type ServiceAccount,
} from '@server/features/exchange/contract';
import { call } from '../api';
import { PageTitle } from '../Layout';
import { useAuth } from '../auth';
import { applyProblem } from '../components/problem';
import { FormModal } from '../components/FormModal';
import { zodRule } from '../components/zodRule';
import { when, today } from '../components/format';
import { ListTable } from '../components/ListOrCards';
import { useLoad } from '../components/Loading';

const STATE = {
  unconfirmed: <Tag color="blue">待业务部门确认启用</Tag>,
  active: <Tag color="green">有效</Tag>,
  expired: <Tag color="gold">已过期</Tag>,
  revoked: <Tag color="red">已吊销</Tag>,
} as const;
const PERMISSION_OPTIONS = Object.entries(SERVICE_PERMISSIONS).map(([value, label]) => ({
  value,
  label: `${label}（${value}）`,
}));
const nextYear = () => `${today().year() + 1}-12-31`;

const field = serviceAccountCreate.shape;

/**
 * 系统对接账号 (issue 15): the security administrator issues tokens for other systems (登记系统、
 * 年报系统、组织部门党员信息系统、信用系统、省级平台), each bound to one node with its own
 * permissions, expiry, address allowlist and rate limit; a token is shown once.
 */
export default function ServiceAccounts() {
  const { message } = App.useApp();
  const { me, can } = useAuth();
  // 三员分立: the security administrator sets accounts up and revokes them; the business side confirms them and takes the token.
  const manages = can('service_accounts.manage');
  const confirms = can('data.write');
  const [editing, setEditing] = useState<ServiceAccount | 'new' | null>(null);
  const [shown, setShown] = useState<{ name: string; token: string } | null>(null);
  const [revoking, setRevoking] = useState<ServiceAccount | null>(null);
  const [certFor, setCertFor] = useState<ServiceAccount | null>(null);

  const list = useLoad(useCallback(() => call(listServiceAccounts).then((r) => r.items), []));
  const { reload } = list;

  const initial = (a: ServiceAccount | 'new'): BodyOf<typeof createServiceAccount> =>
    a === 'new'
      ? {
          name: '',
          jurisdictionCode: me?.jurisdiction.code ?? '',
          permissions: ['changes.read'],
          expiresAt: nextYear(),
          ipAllowlist: [],
          ratePerMinute: 120,
        }
      : {
          name: a.name,
          jurisdictionCode: a.jurisdictionCode,
          permissions: a.permissions,
          expiresAt: a.expiresAt.slice(0, 10),
          ipAllowlist: a.ipAllowlist,
          ratePerMinute: a.ratePerMinute,
          note: a.note ?? undefined,
        };
  const save = async (v: BodyOf<typeof createServiceAccount>) => {
    if (editing === 'new') {
      await call(createServiceAccount, { body: { ...v, note: v.note || undefined } });
      message.success('已新建，待该辖区业务部门确认启用并领取令牌');
    } else if (editing) {
      await call(updateServiceAccount, {
        params: { id: editing.id },
        body: {
          permissions: v.permissions,
          expiresAt: v.expiresAt,
          ipAllowlist: v.ipAllowlist,
          ratePerMinute: v.ratePerMinute,
          note: v.note || null,
        },
      });
      message.success('已保存；改了权限或来源地址的，须业务部门重新确认启用');
    }
    setEditing(null);
    void reload();
  };
  const rotate = (a: ServiceAccount) =>
    Modal.confirm({
      title: a.state === 'unconfirmed' ? `确认启用"${a.name}"并领取令牌？` : `为"${a.name}"重新发放令牌？`,
      content: `权限：${a.permissions.map((p) => SERVICE_PERMISSIONS[p as keyof typeof SERVICE_PERMISSIONS] ?? p).join('、')}；来源地址：${a.ipAllowlist.join('、')}${a.certificate ? `；证书：${a.certificate.subject ?? a.certificate.fingerprint}` : ''}。旧令牌立即失效，对接系统须换用新令牌。`,
      okText: a.state === 'unconfirmed' ? '确认启用' : '重新发放',
      onOk: () =>
        call(rotateToken, { params: { id: a.id }, body: { terms: a.terms } }).then(
          (r) => {
            setShown({ name: a.name, token: r.token });
            void reload();
          },
          (e) => message.error(applyProblem(null, e)),
        ),
    });
  const registerCert = async (v: BodyOf<typeof registerCertificate>) => {
    await call(registerCertificate, {
      params: { id: certFor!.id },
      body: v.pem?.trim() ? { pem: v.pem } : { fingerprint: v.fingerprint ?? '' },
    });
    message.success('证书已登记，待业务部门确认启用后生效');
    setCertFor(null);
    void reload();
  };
  const removeCert = (a: ServiceAccount) =>
    Modal.confirm({
      title: `移除"${a.name}"的客户端证书？`,
      content: '以该证书发起的调用立即失效；令牌不受影响。',
      okText: '移除',
      okButtonProps: { danger: true },
      onOk: () =>
        call(removeCertificate, { params: { id: a.id } }).then(
          () => {
            message.success('已移除');
            void reload();
          },
          (e) => message.error(applyProblem(null, e)),
        ),
    });
  const revoke = async (v: BodyOf<typeof revokeServiceAccount>) => {
    await call(revokeServiceAccount, { params: { id: revoking!.id }, body: v });
    message.success('已吊销，令牌立即失效');
    setRevoking(null);
    void reload();
  };

  return (
    <div>
      <PageTitle
        title="系统对接账号"
        extra={
          manages && (
            <Button type="primary" onClick={() => setEditing('new')}>
              新建服务账号
            </Button>
          )
        }
      />
      <Alert
        type="info"
        showIcon
        style={{ marginBottom: 12 }}
        message="登记系统、年报系统、组织部门党员信息系统、信用系统或省级平台以服务账号的令牌调用 /api/v1/exchange/… 接口：报送数据走与上传文件相同的导入流程，读取变更流、指标与已上报报表。令牌不能登录本系统；每次调用以该账号记入审计日志。安全管理员新建、修改和吊销服务账号；账号须由所在辖区（或上级）的业务部门确认启用，令牌只交给确认人。"
      />
      <Card size="small">
        <ListTable<ServiceAccount>
          error={list.error}
          onRetry={reload}
          rowKey="id"
          loading={list.loading}
          dataSource={list.data ?? []}
          pagination={false}
          scroll={{ x: 1100 }}
          locale={{ emptyText: manages ? '尚无服务账号' : '尚无服务账号：安全管理员新建后，在此确认启用并领取令牌' }}
          columns={[
            {
              title: '名称',
              dataIndex: 'name',
              render: (n: string, a) => (
                <Space direction="vertical" size={0}>
                  <span>{n}</span>
                  {a.note && <Typography.Text type="secondary">{a.note}</Typography.Text>}
                </Space>
              ),
            },
            { title: '辖区', dataIndex: 'jurisdictionName' },
            {
              title: '权限',
              dataIndex: 'permissions',
              render: (ps: string[]) => ps.map((p) => <Tag key={p}>{p}</Tag>),
            },
            {
              title: '令牌',
              dataIndex: 'tokenHint',
              render: (h: string) => <Typography.Text code>{h}</Typography.Text>,
            },
            {
              title: '客户端证书',
              dataIndex: 'certificate',
              render: (c: ServiceAccount['certificate']) =>
                c ? (
                  <Space direction="vertical" size={0} style={{ maxWidth: 220 }}>
                    <Typography.Text code copyable={{ text: c.fingerprint }} ellipsis={{ tooltip: c.fingerprint }}>
                      {c.fingerprint}
                    </Typography.Text>
                    {c.subject && (
                      <Typography.Text type="secondary" ellipsis={{ tooltip: c.subject }}>
                        {c.subject}
                      </Typography.Text>
                    )}
                    {c.notAfter && <Typography.Text type="secondary">至 {when(c.notAfter)}</Typography.Text>}
                  </Space>
                ) : (
                  '未登记'
                ),
            },
            { title: '有效期至', dataIndex: 'expiresAt', render: when },
            { title: '来源地址', dataIndex: 'ipAllowlist', render: (l: string[]) => l.join('、') },
            { title: '限流（次/分）', dataIndex: 'ratePerMinute' },
            {
              title: '状态',
              dataIndex: 'state',
              render: (s: ServiceAccount['state'], a) => (
                <Space direction="vertical" size={0}>
                  {STATE[s]}
                  {a.revokeReason && <Typography.Text type="secondary">{a.revokeReason}</Typography.Text>}
                </Space>
              ),
            },
            {
              title: '最近调用',
              dataIndex: 'lastUsedAt',
              render: (t: string | null, a) => (t ? `${when(t)}（${a.lastUsedIp ?? ''}）` : '从未'),
            },
            {
              title: '操作',
              key: 'op',
              render: (_, a) =>
                a.state === 'revoked' ? null : (
                  <Space wrap>
                    {manages && <a onClick={() => setEditing(a)}>修改</a>}
                    {confirms && a.state !== 'expired' && (
                      <a onClick={() => rotate(a)}>
                        {a.state === 'unconfirmed' ? '确认启用并领取令牌' : '重新领取令牌'}
                      </a>
                    )}
                    {manages && <a onClick={() => setCertFor(a)}>{a.certificate ? '更换证书' : '登记证书'}</a>}
                    {manages && a.certificate && <a onClick={() => removeCert(a)}>移除证书</a>}
                    {manages && <a onClick={() => setRevoking(a)}>吊销</a>}
                  </Space>
                ),
            },
          ]}
        />
      </Card>

      {editing && (
        <FormModal<BodyOf<typeof createServiceAccount>>
          title={editing === 'new' ? '新建服务账号' : '修改服务账号'}
          okText="保存"
          width={640}
          initialValues={initial(editing)}
          onClose={() => setEditing(null)}
          onSubmit={save}
        >
          <Form.Item
            name="name"
            label="名称（对接的系统）"
            rules={[{ required: true, message: '请填写名称，至少 2 个字' }, zodRule(field.name)]}
          >
            <Input disabled={editing !== 'new'} placeholder="如 省市场监管局登记系统" />
          </Form.Item>
          <Form.Item
            name="jurisdictionCode"
            label="绑定辖区代码"
            rules={[{ required: true, message: '请填写辖区代码' }, zodRule(field.jurisdictionCode)]}
            extra="只能读写该辖区及下级的数据"
          >
            <Input disabled={editing !== 'new'} inputMode="numeric" />
          </Form.Item>
          <Form.Item
            name="permissions"
            label="权限"
            rules={[{ required: true, message: '至少授予一项权限' }, zodRule(field.permissions)]}
          >
            <Checkbox.Group options={PERMISSION_OPTIONS} style={{ display: 'flex', flexDirection: 'column', gap: 4 }} />
          </Form.Item>
          <Form.Item
            name="expiresAt"
            label="有效期至（YYYY-MM-DD，最长 3 年）"
            rules={[{ required: true, message: '请填写日期' }, zodRule(field.expiresAt)]}
          >
            <Input type="date" />
          </Form.Item>
          <Form.Item
            name="ipAllowlist"
            label="允许的来源地址或网段"
            rules={[
              { required: true, message: '请至少填写一个地址，如 10.1.2.3 或 10.1.0.0/16' },
              zodRule(field.ipAllowlist),
            ]}
          >
            <Select mode="tags" tokenSeparators={[',', ' ', '，']} placeholder="输入后回车，如 10.1.2.3、10.1.0.0/16" />
          </Form.Item>
          <Form.Item
            name="ratePerMinute"
            label="每分钟最多调用次数"
            rules={[{ required: true, message: '请填写每分钟最多调用次数' }, zodRule(field.ratePerMinute)]}
          >
            <InputNumber min={1} max={100000} style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="note" label="备注" rules={[zodRule(field.note)]}>
            <Input maxLength={200} />
          </Form.Item>
        </FormModal>
      )}

      <Modal
        open={shown !== null}
        title={`"${shown?.name}"的令牌`}
        okText="我已妥善保存"
        cancelButtonProps={{ style: { display: 'none' } }}
        onOk={() => setShown(null)}
        onCancel={() => setShown(null)}
        maskClosable={false}
      >
        <Alert
          type="warning"
          showIcon
          message="令牌只显示这一次，关闭后无法再查看。请立即复制并交给对接系统的管理员，通过安全渠道传递。"
          style={{ marginBottom: 12 }}
        />
        <Typography.Paragraph copyable={{ text: shown?.token ?? '' }} code style={{ wordBreak: 'break-all' }}>
          {shown?.token}
        </Typography.Paragraph>
        <Typography.Text type="secondary">调用时在请求头中携带：Authorization: Bearer &lt;令牌&gt;</Typography.Text>
      </Modal>

      {certFor && (
        <FormModal<BodyOf<typeof registerCertificate>>
          title={`为"${certFor.name}"登记客户端证书`}
          okText="登记"
          width={640}
          onClose={() => setCertFor(null)}
          onSubmit={registerCert}
        >
          <Alert
            type="info"
            showIcon
            style={{ marginBottom: 12 }}
            message="对接系统可用客户端证书（双向 TLS）代替令牌调用 /api/v1/exchange/… 接口。证书须由本平台配置的客户端证书 CA（XGZ_TLS_CLIENT_CA）签发；这里只登记证书本身（不需要私钥），或只登记其 SHA-256 指纹。"
          />
          <Form.Item name="pem" label="证书（PEM）">
            <Input.TextArea rows={6} placeholder="-----BEGIN CERTIFICATE-----" style={{ fontFamily: 'monospace' }} />
          </Form.Item>
          <Form.Item
            name="fingerprint"
            label="或 SHA-256 指纹"
            extra="openssl x509 -noout -fingerprint -sha256 -in client.crt"
          >
            <Input placeholder="3A:5F:…" />
          </Form.Item>
        </FormModal>
      )}

      {revoking && (
        <FormModal<BodyOf<typeof revokeServiceAccount>>
          title={`吊销"${revoking.name}"`}
          okText="吊销"
          danger
          onClose={() => setRevoking(null)}
          onSubmit={revoke}
        >
          <Alert type="error" showIcon message="吊销后令牌立即失效，且不能恢复。" style={{ marginBottom: 12 }} />
          <Form.Item
            name="reason"
            label="吊销原因"
            rules={[{ required: true, message: '请填写吊销原因' }, zodRule(revokeBody.shape.reason)]}
          >
            <Input maxLength={200} />
          </Form.Item>
        </FormModal>
      )}
    </div>
  );
}
