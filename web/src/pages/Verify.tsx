import { useEffect, useState } from 'react';
import { Alert, Button, Card, Descriptions, Form, Input, Result, Select, Spin, Typography } from 'antd';
import { ApiError, call } from '../api';
import type { ResponseOf } from '@server/http/contract';
import { reportPlaqueProblem, verifyPlaque, type PublicPlaque } from '@server/features/sanliang/contract';
import { applyProblem } from '../components/problem';
import { toOptions } from '../components/format';
import { FEEDBACK_CATEGORY_LABEL, type FeedbackCategory } from '@domain/sanliang/plaque';

type Plaque = PublicPlaque;
type Shown = { kind: 'plaque'; plaque: Plaque } | { kind: 'problem'; status: number; title: string; detail: string };

/** The page a plaque's QR code opens (/verify/<token>, the plaque's unguessable token): no login, only what the plaque shows. */
export default function Verify() {
  const token = decodeURIComponent(window.location.pathname.replace(/^\/verify\/?/, ''));
  const [shown, setShown] = useState<Shown | null>(null);
  useEffect(() => {
    call(verifyPlaque, { params: { token } }).then(
      (plaque) => setShown({ kind: 'plaque', plaque }),
      (e) =>
        setShown(
          e instanceof ApiError
            ? { kind: 'problem', status: e.status, title: e.title, detail: e.detail ?? '' }
            : { kind: 'problem', status: 0, title: '网络错误', detail: '请检查网络后刷新重试' },
        ),
    );
  }, [token]);
  return (
    <div style={{ minHeight: '100vh', background: '#fff5f5', display: 'flex', justifyContent: 'center', padding: 16 }}>
      <Card style={{ width: 520, maxWidth: '100%' }} title="三亮牌匾核验 · 小个专党建">
        {!shown && <Spin />}
        {shown?.kind === 'problem' && (
          <Result
            status={shown.status === 404 ? 'warning' : 'error'}
            title={shown.title}
            subTitle={<span data-verdict={shown.status === 404 ? 'unknown' : 'error'}>{shown.detail}</span>}
          />
        )}
        {shown?.kind === 'plaque' && <PlaqueView p={shown.plaque} token={token} />}
      </Card>
    </div>
  );
}

function PlaqueView({ p, token }: { p: Plaque; token: string }) {
  const valid = p.verdict === 'valid';
  // 暂停公示: the word and the number scanned, nothing more.
  if (p.verdict === 'suspended') {
    return (
      <>
        <Result
          status="warning"
          title={<span data-verdict="suspended">{p.title}</span>}
          style={{ padding: '8px 0 16px' }}
        />
        <Descriptions
          size="small"
          bordered
          column={1}
          styles={{ label: { whiteSpace: 'nowrap', width: 96 } }}
          items={[{ label: '牌匾编号', children: p.number }]}
        />
      </>
    );
  }
  return (
    <>
      <Result
        status={valid ? 'success' : 'error'}
        title={<span data-verdict={p.verdict}>{p.title}</span>}
        subTitle={p.detail}
        style={{ padding: '8px 0 16px' }}
      />
      <Descriptions
        size="small"
        bordered
        column={1}
        styles={{ label: { whiteSpace: 'nowrap', width: 96 } }}
        items={[
          { label: '牌匾编号', children: p.number },
          { label: '类别', children: p.kindLabel },
          { label: '市场主体', children: p.entityName },
          ...(valid
            ? [
                { label: '党员', children: `${p.memberName ?? ''}${p.postName ? ` · ${p.postName}` : ''}` },
                { label: '亮职责', children: p.duties },
                { label: '亮承诺', children: p.commitment },
              ]
            : []),
          { label: '发放地区', children: p.area },
          { label: valid ? '发放日期' : '撤销日期', children: valid ? p.issuedOn : p.revokedOn },
        ]}
      />
      <ReportForm token={token} />
    </>
  );
}

/** "Report a problem": lands with the station that issued the plaque. */
function ReportForm({ token }: { token: string }) {
  const [form] = Form.useForm();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<ResponseOf<typeof reportPlaqueProblem> | null>(null);
  const [busy, setBusy] = useState(false);
  if (done)
    return (
      <Alert
        type="success"
        showIcon
        style={{ marginTop: 16 }}
        title={done.message}
        description={
          <>
            回执号：{done.receipt}
            <br />
            查询码（只显示一次，请保存）：<a href={`/appeal/track/${done.code}`}>{done.code}</a>
          </>
        }
      />
    );
  if (!open)
    return (
      <Button block style={{ marginTop: 16 }} onClick={() => setOpen(true)}>
        反映问题
      </Button>
    );
  const submit = async (v: { category: FeedbackCategory; content: string }) => {
    setBusy(true);
    setError(null);
    try {
      setDone(await call(reportPlaqueProblem, { params: { token }, body: v }));
    } catch (e) {
      setError(applyProblem(form, e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Form form={form} layout="vertical" onFinish={submit} style={{ marginTop: 16 }}>
      <Typography.Paragraph type="secondary">
        您的反映将转给发放牌匾的市场监管所核实处理。无需填写个人信息。
      </Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form.Item name="category" label="问题类别" rules={[{ required: true, message: '请选择问题类别' }]}>
        <Select options={toOptions(FEEDBACK_CATEGORY_LABEL)} />
      </Form.Item>
      <Form.Item
        name="content"
        label="具体情况"
        rules={[{ required: true, min: 5, message: '请具体说明问题（至少 5 个字）' }]}
      >
        <Input.TextArea rows={4} maxLength={500} showCount />
      </Form.Item>
      <Button type="primary" htmlType="submit" block loading={busy}>
        提交
      </Button>
    </Form>
  );
}
