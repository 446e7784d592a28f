import { useCallback, useEffect, useState } from 'react';
import { Alert, App, Button, Card, Descriptions, Empty, Form, Input, Select, Space, Table, Tag, Typography } from 'antd';
import { DownloadOutlined, PrinterOutlined, ReloadOutlined, SendOutlined } from '@ant-design/icons';
import { Link, useSearchParams } from 'react-router-dom';
import { INDICATORS, type IndicatorKey } from '@domain/indicators/registry';
import { FORMS, headerGroups, periodLabel, periodOfDate, type FormCode } from '@domain/reports/forms';
import { get, patch, post, withQuery } from '../api';
import { useAuth } from '../auth';
import { PageTitle } from '../Layout';
import { FormModal } from '../components/FormModal';
import { applyProblem } from '../components/problem';
import { pct } from '../components/format';

export type ReportRow = { code: string | null; name: string; kind: 'child' | 'own' | 'total' } & Partial<Record<IndicatorKey, number | null>>;
type Summary = { id: number; state: string; stateLabel: string; version: number; preparedAt: string; returnReason: string | null; submittedAt: string | null };
type Board = { node: { code: string; name: string }; periodLabel: string; dueOn: string; overdueNow: boolean; own: Summary | null; children: { code: string; name: string; report: Summary | null; overdue: boolean }[]; consolidated: ReportRow[] };
type Check = { code: string; label: string; row: string; message: string };
export type Report = {
  id: number; form: FormCode; title: string; period: string; periodLabel: string; dueOn: string; node: { code: string; name: string }; state: string; stateLabel: string;
  version: number; note: string | null; returnReason: string | null; source: 'live' | 'snapshot'; asOf: string; preparedAt: string; rows: ReportRow[]; checks: Check[];
  versions: { version: number; submittedAt: string; submittedBy: string; acknowledgement: string | null }[]; events: { action: string; version: number | null; reason: string | null; at: string; by: string }[]; actions: string[];
};

const STATE_COLOR: Record<string, string> = { draft: 'default', submitted: 'green', returned: 'orange' };
const fmt = (k: IndicatorKey, v: number | null | undefined) => (INDICATORS[k].kind === 'rate' ? pct(v) : (v ?? 0).toLocaleString());
const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString('zh-CN', { hour12: false }) : '—');

/** The form's columns as grouped table headers (group → indicator with its unit), the way the xlsx and the print sheet lay them out. */
export function reportColumns(form: FormCode) {
  return [
    { title: '辖区', dataIndex: 'name', key: 'name', fixed: 'left' as const, width: 150, render: (v: string, r: ReportRow) => (r.kind === 'total' ? <b>{v}</b> : v) },
    ...headerGroups(FORMS[form]).map((g) => ({
      title: g.label, key: g.group,
      children: g.columns.map((k) => ({ title: <span>{INDICATORS[k].label}<br /><Typography.Text type="secondary">（{INDICATORS[k].unit}）</Typography.Text></span>, key: k, dataIndex: k, width: 96, align: 'right' as const, render: (v: number | null) => fmt(k, v) })),
    })),
  ];
}

/** The last five quarters (or years), newest first. */
function periods(form: FormCode): string[] {
  const now = new Date();
  return FORMS[form].period === 'year'
    ? [0, 1, 2, 3, 4].map((i) => String(now.getFullYear() - i))
    : [0, 1, 2, 3, 4].map((i) => periodOfDate('quarter', new Date(now.getFullYear(), now.getMonth() - 3 * i, 1).toISOString().slice(0, 10)));
}

export default function Reports() {
  const { can } = useAuth();
  const { message } = App.useApp();
  const [params, setParams] = useSearchParams();
  const form = (params.get('form') ?? 'xgz_core') as FormCode;
  const period = params.get('period') ?? periods(form)[0];
  const openId = Number(params.get('open')) || null;
  const [board, setBoard] = useState<Board | null>(null);
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [acting, setActing] = useState<'note' | 'submit' | 'return' | null>(null);
  const set = (k: string, v: string | null) => setParams((p) => { const n = new URLSearchParams(p); if (v) n.set(k, v); else n.delete(k); if (k !== 'open') n.delete('open'); return n; });

  const load = useCallback(async () => {
    setError(null);
    try {
      const b = await get<Board>('/reports', { form, period });
      setBoard(b);
      const id = openId ?? b.own?.id;
      setReport(id ? await get<Report>(`/reports/${id}`) : null);
    } catch (e) {
      setError(applyProblem(null, e));
    }
  }, [form, period, openId]);
  useEffect(() => void load(), [load]);

  const prepare = async (source: 'live' | 'snapshot') => {
    try {
      await post('/reports', { form, period, source });
      message.success(source === 'live' ? '已按实时数据生成报表' : '已按月度快照生成报表');
      set('open', null);
      await load();
    } catch (e) {
      message.error(applyProblem(null, e));
    }
  };
  const done = async (text: string) => {
    setActing(null);
    message.success(text);
    await load();
  };

  return (
    <>
      <PageTitle title="统计报表" />
      <Space wrap style={{ marginBottom: 12 }}>
        <Select value={form} style={{ width: 260 }} onChange={(v) => setParams({ form: v })} options={Object.values(FORMS).map((f) => ({ value: f.code, label: f.title }))} aria-label="表式" />
        <Select value={period} style={{ width: 160 }} onChange={(v) => set('period', v)} options={periods(form).map((p) => ({ value: p, label: periodLabel(FORMS[form].period, p) }))} aria-label="报告期" />
        {can('data.write') && <Button type="primary" icon={<ReloadOutlined />} onClick={() => prepare('live')}>按实时数据生成本级报表</Button>}
        {can('data.write') && <Button onClick={() => prepare('snapshot')}>按月度快照生成</Button>}
      </Space>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      {board && board.children.length > 0 && (
        <Card size="small" title={`下级上报情况（${board.periodLabel}，上报期限 ${board.dueOn}）`} style={{ marginBottom: 12 }}>
          <Table size="small" rowKey="code" pagination={false} dataSource={board.children} data-testid="report-board"
            columns={[
              { title: '辖区', dataIndex: 'name' },
              { title: '状态', render: (_: unknown, c) => (c.report ? <Tag color={STATE_COLOR[c.report.state]}>{c.report.stateLabel}</Tag> : <Tag>未生成</Tag>) },
              { title: '版本', render: (_: unknown, c) => (c.report?.version ? `第 ${c.report.version} 版` : '—') },
              { title: '上报时间', render: (_: unknown, c) => when(c.report?.submittedAt ?? null) },
              { title: '逾期', render: (_: unknown, c) => (c.overdue ? <Tag color="red">已逾期</Tag> : '') },
              { title: '操作', render: (_: unknown, c) => (c.report ? <Button type="link" size="small" onClick={() => set('open', String(c.report!.id))}>查看</Button> : null) },
            ]} />
          <Space style={{ marginTop: 12, marginBottom: 8 }}>
            <Typography.Title level={5} style={{ margin: 0 }}>汇总表（各下级最新上报版本合计）</Typography.Title>
            <Button size="small" icon={<DownloadOutlined />} href={withQuery('/api/v1/reports/consolidated/export', { form, period })}>导出汇总表</Button>
          </Space>
          <Table size="small" rowKey="name" pagination={false} scroll={{ x: 'max-content' }} bordered dataSource={board.consolidated} columns={reportColumns(form)} />
        </Card>
      )}
      {report ? (
        <Card size="small" data-testid="report"
          title={<Space>{report.node.name} · {report.title}<Tag color={STATE_COLOR[report.state]}>{report.stateLabel}</Tag>{report.version > 0 && <Tag>已上报 {report.version} 版</Tag>}</Space>}
          extra={
            <Space wrap>
              {report.actions.includes('annotate') && <Button onClick={() => setActing('note')}>填写说明</Button>}
              {report.actions.includes('submit') && <Button type="primary" icon={<SendOutlined />} onClick={() => setActing('submit')}>上报</Button>}
              {report.actions.includes('return') && can('data.write') && <Button danger onClick={() => setActing('return')}>退回修改</Button>}
              <Button icon={<DownloadOutlined />} href={`/api/v1/reports/${report.id}/export`}>导出 Excel</Button>
              <Link to={`/reports/${report.id}/print`}><Button icon={<PrinterOutlined />}>打印</Button></Link>
            </Space>
          }>
          <Descriptions size="small" column={{ xs: 1, md: 3 }} items={[
            { key: 'p', label: '报告期', children: report.periodLabel },
            { key: 'd', label: '上报期限', children: report.dueOn },
            { key: 's', label: '数据来源', children: report.source === 'live' ? `实时数据（${report.asOf}）` : `月度快照（${report.asOf}）` },
            { key: 'n', label: '填报说明', children: report.note ?? '—' },
            ...(report.returnReason ? [{ key: 'r', label: '退回理由', children: <Typography.Text type="danger">{report.returnReason}</Typography.Text> }] : []),
          ]} />
          {report.checks.length > 0 && (
            <Alert type="warning" showIcon style={{ margin: '8px 0' }} title="审核未通过（上报时须填写情况说明）" description={<ul style={{ margin: 0 }}>{report.checks.map((c, i) => <li key={i}>{c.message}</li>)}</ul>} />
          )}
          <Table size="small" rowKey={(r) => `${r.kind}-${r.code}`} pagination={false} bordered scroll={{ x: 'max-content' }} dataSource={report.rows} columns={reportColumns(report.form)} style={{ marginTop: 8 }} />
          {report.versions.length > 0 && (
            <>
              <Typography.Title level={5} style={{ marginTop: 16 }}>上报版本（不可修改）</Typography.Title>
              <Table size="small" rowKey="version" pagination={false} dataSource={report.versions} columns={[
                { title: '版本', dataIndex: 'version', render: (v: number) => `第 ${v} 版` },
                { title: '上报时间', dataIndex: 'submittedAt', render: when },
                { title: '上报人', dataIndex: 'submittedBy' },
                { title: '情况说明', dataIndex: 'acknowledgement', render: (v: string | null) => v ?? '—' },
                { title: '导出', render: (_: unknown, v) => <a href={`/api/v1/reports/${report.id}/export?version=${v.version}`}>Excel</a> },
              ]} />
            </>
          )}
          <Typography.Title level={5} style={{ marginTop: 16 }}>流转记录</Typography.Title>
          <ul>{report.events.map((e, i) => <li key={i}>{when(e.at)} {e.by} {({ prepare: '生成报表', submit: `上报第 ${e.version} 版`, return: `退回第 ${e.version} 版：${e.reason}` } as Record<string, string>)[e.action]}</li>)}</ul>
        </Card>
      ) : (
        <Card size="small"><Empty description="本级尚未生成该期报表" /></Card>
      )}
      {acting === 'note' && report && (
        <FormModal<{ note: string }> title="填写报表说明" initialValues={{ note: report.note ?? '' }} onClose={() => setActing(null)} onSubmit={async (v) => { await patch(`/reports/${report.id}`, { note: v.note || null }); await done('说明已保存'); }}>
          <Form.Item name="note" label="填报说明"><Input.TextArea rows={4} maxLength={2000} /></Form.Item>
        </FormModal>
      )}
      {acting === 'submit' && report && (
        <FormModal<{ acknowledgement?: string }> title={`上报${report.title}（${report.periodLabel}）`} okText="上报" onClose={() => setActing(null)} onSubmit={async (v) => { await post(`/reports/${report.id}/submit`, v); await done('已上报'); }}>
          <Typography.Paragraph>上报后生成第 {report.version + 1} 版，不可再修改；如需更正，须由上级退回。</Typography.Paragraph>
          {report.checks.length > 0 && (
            <Form.Item name="acknowledgement" label="情况说明（审核未通过，须说明原因）" rules={[{ required: true, message: '请填写情况说明' }]}><Input.TextArea rows={3} maxLength={2000} /></Form.Item>
          )}
        </FormModal>
      )}
      {acting === 'return' && report && (
        <FormModal<{ reason: string }> title={`退回 ${report.node.name} 的报表`} okText="退回" danger onClose={() => setActing(null)} onSubmit={async (v) => { await post(`/reports/${report.id}/return`, v); await done('已退回'); }}>
          <Form.Item name="reason" label="退回理由" rules={[{ required: true, whitespace: true, message: '请填写退回理由' }]}><Input.TextArea rows={3} maxLength={500} /></Form.Item>
        </FormModal>
      )}
    </>
  );
}
