import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Steps, Typography, Image, Space } from 'antd';
import { LockOutlined, UserOutlined, SafetyOutlined } from '@ant-design/icons';
import { checkPassword } from '@domain/auth/password-policy';
import type { BodyOf, ResponseOf } from '@server/http/contract';
import { changePassword, enrolTotp, login, setupTotp, verifyTotp, type Stage } from '@server/features/auth/contract';
import { call, setCsrfToken } from '../api';
import { useAuth } from '../auth';
import { applyProblem } from '../components/problem';

/** Sign-in in steps: password → dynamic code (if enrolled) → forced password change → code enrolment (if required). */
export function SignIn() {
  const { me, notice, refresh } = useAuth();
  const stage: Stage | 'login' = me?.stage ?? 'login';
  const steps = ['账号登录', '修改密码', '绑定动态口令'];
  const current = stage === 'login' || stage === 'totp' ? 0 : stage === 'password_change' ? 1 : 2;
  return (
    <div
      style={{
        minHeight: '100vh',
        display: 'flex',
        alignItems: 'center',
        justifyContent: 'center',
        background: 'linear-gradient(135deg,#b71c1c 0%,#e53935 45%,#fff5f5 45%)',
        padding: 16,
      }}
    >
      <Card style={{ width: 420, maxWidth: '100%' }}>
        <Typography.Title level={3} style={{ textAlign: 'center', marginBottom: 4 }}>
          小个专党建工作平台
        </Typography.Title>
        <Typography.Paragraph type="secondary" style={{ textAlign: 'center' }}>
          市场监管部门"小个专"党建工作
        </Typography.Paragraph>
        {stage !== 'login' && (
          <Steps
            size="small"
            current={current}
            items={steps.map((title) => ({ title }))}
            style={{ marginBottom: 24 }}
          />
        )}
        {notice && stage === 'login' && <Alert type="warning" showIcon title={notice} style={{ marginBottom: 16 }} />}
        {stage === 'login' && <PasswordLogin onDone={refresh} />}
        {stage === 'totp' && <CodeStep step={verifyTotp} title="请输入手机验证器中的 6 位动态口令" onDone={refresh} />}
        {stage === 'password_change' && <ChangePassword username={me!.username} onDone={refresh} />}
        {stage === 'totp_enrol' && <TotpEnrol onDone={refresh} />}
      </Card>
    </div>
  );
}

function PasswordLogin({ onDone }: { onDone: () => Promise<unknown> }) {
  const [form] = Form.useForm();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (v: BodyOf<typeof login>) => {
    setBusy(true);
    setError(null);
    try {
      const r = await call(login, { body: v });
      setCsrfToken(r.csrfToken);
      await onDone();
    } catch (e) {
      setError(applyProblem(form, e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Form form={form} onFinish={submit} size="large" autoComplete="off">
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Form.Item name="username" rules={[{ required: true, message: '请输入账号' }]}>
        <Input prefix={<UserOutlined />} placeholder="账号" autoFocus />
      </Form.Item>
      <Form.Item name="password" rules={[{ required: true, message: '请输入密码' }]}>
        <Input.Password prefix={<LockOutlined />} placeholder="密码" />
      </Form.Item>
      <Button type="primary" htmlType="submit" block loading={busy}>
        登录
      </Button>
      <div style={{ textAlign: 'center', marginTop: 16 }}>
        <a href="/self-report">我是党员，我要报到（无需登录）</a>
      </div>
    </Form>
  );
}

function CodeStep({
  step,
  title,
  onDone,
}: {
  step: typeof verifyTotp | typeof enrolTotp;
  title: string;
  onDone: () => Promise<unknown>;
}) {
  const [form] = Form.useForm();
  const [error, setError] = useState<string | null>(null);
  const submit = async (v: BodyOf<typeof step>) => {
    setError(null);
    try {
      await call(step, { body: v });
      await onDone();
    } catch (e) {
      setError(applyProblem(form, e));
    }
  };
  return (
    <Form form={form} onFinish={submit} size="large" layout="vertical">
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Form.Item
        name="code"
        label={title}
        rules={[{ required: true, pattern: /^\d{6}$/, message: '动态口令为 6 位数字' }]}
      >
        <Input prefix={<SafetyOutlined />} inputMode="numeric" maxLength={6} placeholder="6 位数字" autoFocus />
      </Form.Item>
      <Button type="primary" htmlType="submit" block>
        确认
      </Button>
    </Form>
  );
}

function ChangePassword({ username, onDone }: { username: string; onDone: () => Promise<unknown> }) {
  const [form] = Form.useForm();
  const [error, setError] = useState<string | null>(null);
  const submit = async (v: BodyOf<typeof changePassword>) => {
    setError(null);
    try {
      await call(changePassword, { body: { currentPassword: v.currentPassword, newPassword: v.newPassword } });
      await onDone();
    } catch (e) {
      setError(applyProblem(form, e));
    }
  };
  return (
    <Form form={form} onFinish={submit} layout="vertical">
      <Alert
        type="info"
        showIcon
        title="首次登录或密码被重置，请设置新密码"
        description="至少 8 位，包含大写字母、小写字母、数字、符号中的三类，且不含账号名。"
        style={{ marginBottom: 16 }}
      />
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Form.Item name="currentPassword" label="当前密码" rules={[{ required: true, message: '请输入当前密码' }]}>
        <Input.Password autoFocus />
      </Form.Item>
      <Form.Item
        name="newPassword"
        label="新密码"
        rules={[
          { required: true, message: '请输入新密码' },
          {
            validator: (_, v: string) => {
              const p = v ? checkPassword(v, username, { minLength: 8 }) : [];
              return p.length ? Promise.reject(new Error(p.join('；'))) : Promise.resolve();
            },
          },
        ]}
      >
        <Input.Password />
      </Form.Item>
      <Form.Item
        name="confirm"
        label="再次输入新密码"
        dependencies={['newPassword']}
        rules={[
          { required: true, message: '请再次输入新密码' },
          ({ getFieldValue }) => ({
            validator: (_, v) =>
              v === getFieldValue('newPassword')
                ? Promise.resolve()
                : Promise.reject(new Error('两次输入的密码不一致')),
          }),
        ]}
      >
        <Input.Password />
      </Form.Item>
      <Button type="primary" htmlType="submit" block>
        修改密码
      </Button>
    </Form>
  );
}

function TotpEnrol({ onDone }: { onDone: () => Promise<unknown> }) {
  const [setup, setSetup] = useState<ResponseOf<typeof setupTotp> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const start = async () => {
    try {
      setSetup(await call(setupTotp));
    } catch (e) {
      setError(applyProblem(null, e));
    }
  };
  if (!setup) {
    return (
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Alert
          type="info"
          showIcon
          title="您的账号须使用双因素认证"
          description="请在手机上安装任一动态口令应用（如 FreeOTP、Google Authenticator、Microsoft Authenticator 或政务 App 中的动态口令），然后点击下面的按钮。"
        />
        {error && <Alert type="error" showIcon title={error} />}
        <Button type="primary" block onClick={start}>
          生成绑定二维码
        </Button>
      </Space>
    );
  }
  return (
    <div>
      <div style={{ textAlign: 'center' }}>
        <Image src={setup.qrDataUrl} alt="动态口令二维码" width={200} preview={false} />
        <Typography.Paragraph copyable={{ text: setup.secret }} type="secondary" data-testid="totp-secret">
          无法扫码时手动输入密钥：<Typography.Text code>{setup.secret}</Typography.Text>
        </Typography.Paragraph>
      </div>
      <CodeStep step={enrolTotp} title="用应用扫码后，输入其显示的 6 位动态口令" onDone={onDone} />
    </div>
  );
}
