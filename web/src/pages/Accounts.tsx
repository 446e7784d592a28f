import { useEffect, useState } from 'react';
import {
  Alert,
  App,
  Badge,
  Button,
  Card,
  Drawer,
  Form,
  Input,
  InputNumber,
  Modal,
  Select,
  Space,
  Tag,
  Typography,
} from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import type { ItemOf } from '@server/http/contract';
import {
  createAccount,
  listAccounts,
  listLogins,
  resetPassword as resetPasswordOf,
  resetTotp,
  unlockAccount,
  updateAccount,
  type Account,
} from '@server/features/accounts/contract';
import { listDictionaries } from '@server/features/dictionaries/contract';
import { zodRule } from '../components/zodRule';
import { call, pathOf } from '../api';
import { useAuth } from '../auth';
import { PageTitle } from '../Layout';
import { JurisdictionPicker } from '../components/JurisdictionPicker';
import { usePaged } from '../components/usePaged';
import { applyProblem } from '../components/problem';
import { drawerSize } from '../components/drawer';
import { when } from '../components/format';
import { ListTable } from '../components/ListOrCards';

const DUTIES = ['sysadmin', 'secadmin', 'auditor'];

export default function Accounts() {
  const { me, can } = useAuth();
  const { message, modal } = App.useApp();
  const [q, setQ] = useState('');
  const [role, setRole] = useState<string | undefined>();
  const [roles, setRoles] = useState<{ code: string; label: string }[]>([]);
  const [editing, setEditing] = useState<Account | 'new' | null>(null);
  const [history, setHistory] = useState<Account | null>(null);
  const list = usePaged(listAccounts, { q, role });
  useEffect(() => void call(listDictionaries).then((d) => setRoles(d.role)), []);

  // Which roles this administrator may hand out (三员分立).
  const assignable = roles.filter((r) =>
    DUTIES.includes(r.code) ? can('accounts.grant_duties') : can('accounts.manage'),
  );

  const act = async (fn: () => Promise<unknown>, ok: string) => {
    try {
      await fn();
      message.success(ok);
      void list.reload();
    } catch (e) {
      message.error(applyProblem(null, e));
    }
  };
  const resetPassword = (a: Account) =>
    modal.confirm({
      title: `为 ${a.displayName}（${a.username}）发放一次性密码？`,
      content:
        '原密码作废，其全部会话将被结束；一次性密码请当面或经可靠渠道转交本人，登录后须立即修改（已绑定的动态口令保留）。管理员账号的密码只能由服务器运维人员用命令行重置。',
      onOk: async () => {
        try {
          const r = await call(resetPasswordOf, { params: { id: a.id } });
          modal.success({
            title: '新的一次性密码（只显示这一次）',
            content: (
              <Typography.Text copyable code>
                {r.temporaryPassword}
              </Typography.Text>
            ),
          });
        } catch (e) {
          message.error(applyProblem(null, e));
        }
      },
    });

  return (
    <div>
      <PageTitle
        title="账号管理"
        extra={
          assignable.length > 0 && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
              新建账号
            </Button>
          )
        }
      />
      <Card size="small">
        <Space wrap style={{ marginBottom: 12 }}>
          <Input.Search placeholder="账号或姓名" allowClear onSearch={setQ} style={{ width: 200 }} />
          <Select
            allowClear
            placeholder="按角色筛选"
            style={{ width: 160 }}
            value={role}
            onChange={setRole}
            options={roles.map((r) => ({ value: r.code, label: r.label }))}
          />
        </Space>
        <ListTable<Account>
          error={list.error}
          onRetry={list.reload}
          rowKey="id"
          loading={list.loading}
          dataSource={list.items}
          pagination={list.pagination}
          scroll={{ x: 980 }}
          columns={[
            { title: '账号', dataIndex: 'username', width: 130 },
            { title: '姓名', dataIndex: 'displayName', width: 120 },
            { title: '辖区', dataIndex: 'jurisdictionName', width: 150 },
            {
              title: '角色',
              dataIndex: 'roles',
              render: (rs: Account['roles']) =>
                rs.map((r) => (
                  <Tag key={r.code} color={DUTIES.includes(r.code) ? 'purple' : 'blue'}>
                    {r.label}
                  </Tag>
                )),
            },
            {
              title: '状态',
              key: 'state',
              width: 150,
              render: (_, a) => (
                <Space size={4} wrap>
                  {a.disabled ? (
                    <Badge status="default" text="已停用" />
                  ) : a.locked ? (
                    <Badge status="error" text="已锁定" />
                  ) : (
                    <Badge status="success" text="正常" />
                  )}
                  {a.totpEnabled && <Tag>动态口令</Tag>}
                  {a.mustChangePassword && <Tag color="gold">待改密</Tag>}
                </Space>
              ),
            },
            { title: '最近登录', dataIndex: 'lastLoginAt', width: 160, render: when },
            {
              title: '操作',
              key: 'op',
              width: 260,
              render: (_, a) => (
                <Space size="small" wrap>
                  <a onClick={() => setEditing(a)}>修改</a>
                  {can('accounts.reset') && a.id !== me!.id && !a.roles.some((r) => DUTIES.includes(r.code)) && (
                    <a onClick={() => resetPassword(a)}>发放一次性密码</a>
                  )}
                  {a.id !== me!.id && !a.roles.some((r) => DUTIES.includes(r.code)) && (
                    <a
                      onClick={() =>
                        act(
                          () => call(updateAccount, { params: { id: a.id }, body: { disabled: !a.disabled } }),
                          a.disabled ? '已启用' : '已停用，会话已结束',
                        )
                      }
                    >
                      {a.disabled ? '启用' : '停用'}
                    </a>
                  )}
                  {can('sessions.manage') && a.locked && (
                    <a onClick={() => act(() => call(unlockAccount, { params: { id: a.id } }), '已解锁')}>解锁</a>
                  )}
                  {can('sessions.manage') && a.totpEnabled && !a.roles.some((r) => DUTIES.includes(r.code)) && (
                    <a onClick={() => act(() => call(resetTotp, { params: { id: a.id } }), '已解绑动态口令')}>
                      解绑口令
                    </a>
                  )}
                  <a onClick={() => setHistory(a)}>登录记录</a>
                </Space>
              ),
            },
          ]}
        />
      </Card>
      {editing && (
        <AccountForm
          root={me!.jurisdiction.code}
          account={editing === 'new' ? null : editing}
          roles={assignable}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void list.reload();
          }}
        />
      )}
      {history && <LoginHistory account={history} onClose={() => setHistory(null)} />}
    </div>
  );
}

function AccountForm({
  root,
  account,
  roles,
  onClose,
  onSaved,
}: {
  root: string;
  account: Account | null;
  roles: { code: string; label: string }[];
  onClose: () => void;
  onSaved: () => void;
}) {
  const [form] = Form.useForm();
  const { modal } = App.useApp();
  const [error, setError] = useState<string | null>(null);
  const duty = !!account?.roles.some((r) => DUTIES.includes(r.code));
  const submit = async () => {
    const { bindKind, bindId, ...v } = await form.validateFields();
    // Unit and instructor logins (issue 13): the unit or instructor record the account is bound to.
    const binding = {
      platformId: bindKind === 'platform' && bindId ? bindId : null,
      orgId: bindKind === 'org' && bindId ? bindId : null,
      instructorId: bindKind === 'instructor' && bindId ? bindId : null,
    };
    try {
      if (account) {
        await call(updateAccount, {
          params: { id: account.id },
          body: duty
            ? { displayName: v.displayName }
            : {
                displayName: v.displayName,
                roles: v.roles,
                jurisdictionCode: v.jurisdictionCode !== account.jurisdictionCode ? v.jurisdictionCode : undefined,
                ...binding,
              },
        });
      } else {
        await call(createAccount, { body: { ...v, ...binding } });
        modal.success({
          title: `账号 ${v.username} 已创建`,
          content:
            '三员分立：系统管理员不掌握任何账号的密码。请安全管理员在账号列表中为其"发放一次性密码"并转交本人，首次登录须修改。',
        });
      }
      onSaved();
    } catch (e) {
      setError(applyProblem(form, e));
    }
  };
  return (
    <Modal
      open
      title={account ? `修改账号：${account.username}` : '新建账号'}
      onCancel={onClose}
      onOk={submit}
      okText="保存"
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Alert
        type="info"
        showIcon
        title="三员分立：系统管理员、安全管理员、审计员须由不同账号担任，且不兼任业务角色。角色或辖区变更后，该账号的会话立即失效。"
        style={{ marginBottom: 16 }}
      />
      <Form
        form={form}
        layout="vertical"
        initialValues={
          account
            ? {
                displayName: account.displayName,
                roles: account.roles.map((r) => r.code),
                jurisdictionCode: account.jurisdictionCode,
                bindKind: account.platformId
                  ? 'platform'
                  : account.orgId
                    ? 'org'
                    : account.instructorId
                      ? 'instructor'
                      : undefined,
                bindId: account.platformId ?? account.orgId ?? account.instructorId ?? undefined,
              }
            : {}
        }
      >
        {!account && (
          <Form.Item
            name="username"
            label="账号名"
            rules={[{ required: true, message: '请填写账号名' }, zodRule(createAccount.body.shape.username)]}
          >
            <Input />
          </Form.Item>
        )}
        <Form.Item name="displayName" label="姓名" rules={[{ required: true, max: 30, message: '请输入姓名' }]}>
          <Input />
        </Form.Item>
        {duty ? (
          <Alert
            type="warning"
            showIcon
            title="管理员账号的辖区、角色与停用只能由服务器运维人员用命令行办理（xgz user disable / enable / create），这里只能修改姓名。"
            style={{ marginBottom: 16 }}
          />
        ) : (
          <>
            <Form.Item name="jurisdictionCode" label="所属辖区" rules={[{ required: true, message: '请选择所属辖区' }]}>
              <JurisdictionPicker root={root} />
            </Form.Item>
            <Form.Item name="roles" label="角色" rules={[{ required: true, message: '至少选择一个角色' }]}>
              <Select mode="multiple" options={roles.map((r) => ({ value: r.code, label: r.label }))} />
            </Form.Item>
          </>
        )}
        <Form.Item noStyle dependencies={['roles']}>
          {({ getFieldValue }) => {
            const rs: string[] = getFieldValue('roles') ?? [];
            const kinds = [
              ...(rs.includes('unit_staff')
                ? [
                    { value: 'platform', label: '外卖平台党建联系点（平台编号）' },
                    { value: 'org', label: '网约配送员行业党委（党组织编号）' },
                  ]
                : []),
              ...(rs.includes('instructor') ? [{ value: 'instructor', label: '党建工作指导员（指导员编号）' }] : []),
            ];
            if (!kinds.length) return null;
            return (
              <Space.Compact block>
                <Form.Item
                  name="bindKind"
                  label="绑定"
                  style={{ flex: 1 }}
                  rules={
                    rs.includes('unit_staff')
                      ? [{ required: true, message: '联系点/行业党委工作人员须绑定一个单位' }]
                      : []
                  }
                >
                  <Select allowClear options={kinds} placeholder="绑定的单位或指导员" />
                </Form.Item>
                <Form.Item name="bindId" label="编号" style={{ width: 140 }}>
                  <InputNumber min={1} style={{ width: '100%' }} />
                </Form.Item>
              </Space.Compact>
            );
          }}
        </Form.Item>
      </Form>
    </Modal>
  );
}

const OUTCOME: Record<string, string> = {
  success: '成功',
  failure: '密码错误',
  locked: '已锁定',
  password_ok: '密码正确，待动态口令',
};

function LoginHistory({ account, onClose }: { account: Account; onClose: () => void }) {
  const list = usePaged<ItemOf<typeof listLogins>>(pathOf(listLogins, { id: account.id }), {});
  return (
    <Drawer open title={`${account.displayName} 的登录记录`} onClose={onClose} size={drawerSize()}>
      <ListTable
        error={list.error}
        onRetry={list.reload}
        rowKey="at"
        size="small"
        loading={list.loading}
        dataSource={list.items}
        pagination={list.pagination}
        locale={{ emptyText: '尚无登录记录' }}
        columns={[
          { title: '时间', dataIndex: 'at', render: when },
          { title: 'IP', dataIndex: 'ip' },
          { title: '结果', dataIndex: 'outcome', render: (o: string) => OUTCOME[o] ?? o },
          { title: '浏览器', dataIndex: 'userAgent', ellipsis: true },
        ]}
      />
    </Drawer>
  );
}
