import { useEffect, useState } from 'react';
import {
  Alert,
  Button,
  Card,
  Cascader,
  Descriptions,
  Form,
  Input,
  Radio,
  Rate,
  Result,
  Select,
  Spin,
  Steps,
  Typography,
} from 'antd';
import { ApiError, call } from '../api';
import {
  appealFeedback,
  publicPlatforms,
  publicServicePosts,
  submitAppeal,
  trackAppeal,
  type AppealProgress,
  type PublicServicePost,
} from '@server/features/appeals/contract';
import type { BodyOf, ResponseOf } from '@server/http/contract';
import { useDivisions } from '../components/useDivisions';
import { applyProblem } from '../components/problem';
import { toOptions, when } from '../components/format';
import { RIDER_CATEGORY_LABEL, SATISFACTION_LABEL } from '@domain/cases/engine';
import { OFFER_LABEL } from '@domain/cases/service-posts';
import { zodRule } from '../components/zodRule';

const page = {
  minHeight: '100vh',
  background: '#fff5f5',
  display: 'flex',
  justifyContent: 'center',
  padding: 12,
} as const;

/** 诉求直通 for riders, outside the signed-in shell: /appeal (submit) and /appeal/track[/<code>] (progress, feedback). */
export default function Appeal() {
  const path = window.location.pathname;
  return (
    <div style={page}>
      <Card
        style={{ width: 520, maxWidth: '100%' }}
        title="骑手诉求直通车"
        extra={path.startsWith('/appeal/track') ? <a href="/appeal">提交诉求</a> : <a href="/appeal/track">查询进度</a>}
      >
        {path.startsWith('/appeal/track') ? (
          <Track initial={decodeURIComponent(path.replace(/^\/appeal\/track\/?/, ''))} />
        ) : (
          <Submit />
        )}
      </Card>
    </div>
  );
}

function Submit() {
  const [form] = Form.useForm();
  const { options, loadData } = useDivisions();
  const [posts, setPosts] = useState<PublicServicePost[]>([]);
  const [platforms, setPlatforms] = useState<ResponseOf<typeof publicPlatforms>>([]);
  const category = Form.useWatch('category', form);
  const area = Form.useWatch('area', form) as string[] | undefined;
  // What a choice that depends on the county says before the county is chosen, and when it has none.
  const hint = (count: number, choose: string, none: string) =>
    !area?.length ? '请先选择所在县（区）' : count ? choose : none;
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<{ code: string; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const areaChosen = (area?: string[]) => {
    form.setFieldsValue({ servicePostId: undefined, platformId: undefined });
    const county = area?.[area.length - 1];
    if (county) void call(publicServicePosts, { query: { area: county } }).then(setPosts, () => setPosts([]));
    if (county) void call(publicPlatforms, { query: { area: county } }).then(setPlatforms, () => setPlatforms([]));
  };
  const submit = async (v: {
    category: BodyOf<typeof submitAppeal>['category'];
    content: string;
    area: string[];
    servicePostId?: number;
    platformId?: number;
    phone?: string;
  }) => {
    setBusy(true);
    setError(null);
    try {
      setDone(
        await call(submitAppeal, {
          body: {
            category: v.category,
            content: v.content,
            areaCode: v.servicePostId ? undefined : v.area[v.area.length - 1],
            servicePostId: v.servicePostId,
            platformId: v.category === 'rights' ? v.platformId : undefined,
            phone: v.phone || undefined,
          },
        }),
      );
    } catch (e) {
      setError(applyProblem(form, e));
    } finally {
      setBusy(false);
    }
  };
  if (done) {
    return (
      <Result
        status="success"
        title="诉求已提交"
        subTitle={done.message}
        extra={[
          <Typography.Paragraph
            key="code"
            copyable={{ text: done.code }}
            style={{ fontSize: 18, fontFamily: 'monospace' }}
          >
            <span data-testid="tracking-code" data-code={done.code}>
              {done.code.replace(/(.{4})(?=.)/g, '$1 ')}
            </span>
          </Typography.Paragraph>,
          <Button key="track" type="primary" href={`/appeal/track/${done.code}`}>
            查看进度
          </Button>,
        ]}
      />
    );
  }
  return (
    <Form form={form} layout="vertical" onFinish={submit}>
      <Typography.Paragraph type="secondary">
        外卖、快递骑手在工作中遇到困难，可在这里直接反映，由所在地市场监管部门转交承办单位处理并答复。可以匿名提交。
      </Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form.Item name="category" label="遇到什么困难" rules={[{ required: true, message: '请选择诉求类别' }]}>
        <Radio.Group
          optionType="button"
          options={toOptions(RIDER_CATEGORY_LABEL)}
          style={{ display: 'flex', flexWrap: 'wrap', gap: 6 }}
        />
      </Form.Item>
      <Form.Item
        name="content"
        label="具体情况"
        rules={[{ required: true, min: 5, message: '请具体说明遇到的问题（至少 5 个字）' }]}
      >
        <Input.TextArea rows={4} maxLength={1000} showCount placeholder="如：××小区不让骑手电动车进门，只能步行送餐" />
      </Form.Item>
      <Form.Item name="area" label="在哪里（县、区）" rules={[{ required: true, message: '请选择所在县（区）' }]}>
        <Cascader
          options={options}
          loadData={loadData}
          changeOnSelect={false}
          placeholder="省 / 市 / 县（区）"
          onChange={(v) => areaChosen(v)}
        />
      </Form.Item>
      <Form.Item name="servicePostId" label="附近的骑手驿站（选填）">
        <Select
          allowClear
          placeholder={hint(posts.length, '选择驿站', '该区域暂无登记的驿站')}
          options={posts.map((p) => ({ value: p.id, label: `${p.name}（${p.openingHours}）` }))}
          optionRender={(o) => {
            const p = posts.find((x) => x.id === o.value)!;
            return (
              <div>
                <div>{p.name}</div>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {p.address} · {p.openingHours} ·{' '}
                  {p.offers.map((x) => OFFER_LABEL[x as keyof typeof OFFER_LABEL] ?? x).join('、')}
                </Typography.Text>
              </div>
            );
          }}
        />
      </Form.Item>
      {category === 'rights' && (
        <Form.Item
          name="platformId"
          label="您服务的平台（选填）"
          extra="权益问题（报酬、处罚、保险等）将转交该平台的党建联系点，或所在地的网约配送员行业党委"
        >
          <Select
            allowClear
            placeholder={hint(platforms.length, '选择平台', '该区域暂无登记的平台')}
            options={platforms.map((p) => ({ value: p.id, label: `${p.name}（${p.businessLabel}）` }))}
          />
        </Form.Item>
      )}
      <Form.Item
        name="phone"
        label="联系电话（选填，便于承办单位联系您；加密保存）"
        rules={[zodRule(submitAppeal.body.shape.phone)]}
      >
        <Input maxLength={11} inputMode="tel" />
      </Form.Item>
      <Button type="primary" htmlType="submit" block size="large" loading={busy}>
        提交诉求
      </Button>
    </Form>
  );
}

function Track({ initial }: { initial: string }) {
  const [code, setCode] = useState(initial);
  const [shown, setShown] = useState<{ p: AppealProgress } | { problem: string } | null>(null);
  const [loading, setLoading] = useState(false);
  const look = async (c: string) => {
    if (!c.trim()) return;
    setLoading(true);
    try {
      setShown({ p: await call(trackAppeal, { params: { code: c.trim() } }) });
    } catch (e) {
      setShown({ problem: e instanceof ApiError ? (e.detail ?? e.title) : '网络错误，请稍后重试' });
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => void (initial && look(initial)), [initial]);
  return (
    <>
      <Input.Search
        placeholder="输入查询码"
        enterButton="查询"
        value={code}
        onChange={(e) => setCode(e.target.value)}
        onSearch={look}
        loading={loading}
        maxLength={40}
      />
      {loading && !shown && <Spin style={{ display: 'block', marginTop: 24 }} />}
      {shown && 'problem' in shown && <Alert type="warning" showIcon title={shown.problem} style={{ marginTop: 16 }} />}
      {shown && 'p' in shown && <ProgressView p={shown.p} code={code.trim()} onChanged={() => look(code)} />}
    </>
  );
}

function ProgressView({ p, code, onChanged }: { p: AppealProgress; code: string; onChanged: () => void }) {
  return (
    <div style={{ marginTop: 16 }}>
      <Descriptions
        size="small"
        bordered
        column={1}
        styles={{ label: { whiteSpace: 'nowrap', width: 88 } }}
        items={[
          { label: '状态', children: <b data-state={p.state}>{p.stateLabel}</b> },
          { label: '类别', children: p.categoryLabel },
          { label: '承办单位', children: p.unitName },
          { label: '提交时间', children: when(p.submittedAt) },
          ...(p.reply ? [{ label: '答复', children: p.reply }] : []),
          ...(p.satisfactionLabel ? [{ label: '您的评价', children: p.satisfactionLabel }] : []),
        ]}
      />
      <Steps
        direction="vertical"
        size="small"
        style={{ marginTop: 16 }}
        current={p.steps.length - 1}
        items={p.steps.map((s) => ({ title: s.label, description: when(s.at) }))}
      />
      {(p.canFeedback || p.canReopen) && <FeedbackForm key={p.state} code={code} p={p} onDone={onChanged} />}
    </div>
  );
}

function FeedbackForm({ code, p, onDone }: { code: string; p: AppealProgress; onDone: () => void }) {
  const [form] = Form.useForm();
  const [error, setError] = useState<string | null>(null);
  const [mode, setMode] = useState<'feedback' | 'reopen'>(p.canFeedback ? 'feedback' : 'reopen');
  const send = async (v: { satisfaction?: number; comment?: string }) => {
    setError(null);
    try {
      await call(appealFeedback, {
        params: { code },
        body:
          mode === 'feedback'
            ? { action: 'feedback', satisfaction: v.satisfaction as number, comment: v.comment || undefined }
            : { action: 'reopen', comment: v.comment as string },
      });
      // (A missing answer is sent as missing: the server names the field, as the form's rules do.)
      onDone();
    } catch (e) {
      setError(applyProblem(form, e));
    }
  };
  return (
    <Card size="small" style={{ marginTop: 8 }} title={mode === 'feedback' ? '评价办理结果' : '问题没解决？'}>
      {p.canReopen && p.canFeedback && (
        <Radio.Group
          value={mode}
          onChange={(e) => setMode(e.target.value)}
          style={{ marginBottom: 12 }}
          options={[
            { value: 'feedback', label: '评价' },
            { value: 'reopen', label: '问题没解决，要求重新办理' },
          ]}
        />
      )}
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" onFinish={send}>
        {mode === 'feedback' && (
          <Form.Item name="satisfaction" label="满意度" rules={[{ required: true, message: '请选择满意度' }]}>
            <Rate tooltips={Object.values(SATISFACTION_LABEL)} />
          </Form.Item>
        )}
        <Form.Item
          name="comment"
          label={mode === 'feedback' ? '意见（选填）' : '仍未解决的问题'}
          rules={mode === 'reopen' ? [{ required: true, min: 5, message: '请说明仍未解决的问题（至少 5 个字）' }] : []}
        >
          <Input.TextArea rows={3} maxLength={500} />
        </Form.Item>
        {mode === 'reopen' && p.reopenUntil && (
          <Typography.Paragraph type="secondary">可在 {when(p.reopenUntil)} 前要求重新办理。</Typography.Paragraph>
        )}
        <Button type="primary" htmlType="submit" block>
          {mode === 'feedback' ? '提交评价' : '要求重新办理'}
        </Button>
      </Form>
    </Card>
  );
}
