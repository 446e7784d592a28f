import { useCallback, useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Empty,
  Form,
  Grid,
  Input,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { PrinterOutlined, ReloadOutlined, SendOutlined } from '@ant-design/icons';
import { Link, useSearchParams } from 'react-router-dom';
import { INDICATORS } from '@domain/indicators/registry';
import { FORMS, headerGroups, periodLabel, periodOfDate, type FormCode } from '@domain/reports/forms';
import { addMonths, localDate } from '@domain/time/zone';
import { ApiError, call, withQuery } from '../api';
import {
  acceptReport,
  annotateReport,
  getReport,
  getReportBoard,
  prepareReport,
  returnReport,
  submitReport,
  type Difference,
  type Mark,
  type ReportBoard,
  type ReportDetail as Report,
  type ReportRow,
} from '@server/features/reports/contract';
import { useAuth } from '../auth';
import { PageTitle } from '../Layout';
import { ListOrCards } from '../components/ListOrCards';
import { FormModal } from '../components/FormModal';
import { applyProblem } from '../components/problem';
import { indicatorValue, when } from '../components/format';
import { LoadingBlock, useLoad } from '../components/Loading';
import { DownloadButton, DownloadLink } from '../components/DownloadButton';

const STATE_COLOR: Record<string, string> = { draft: 'default', submitted: 'green', returned: 'orange' };

/** The form's columns as grouped table headers (group → indicator with its unit), the way the xlsx and the print sheet lay them out. */
/** What stands in the way of submitting, or travels with the report: outdated, children not reported, 缺报 marks. */
function ReportNotices({ report }: { report: Report }) {
  return (
    <>
      {report.outdated && (
        <Alert
          type="warning"
          showIcon
          style={{ margin: '8px 0' }}
          title="本级报表待更新"
          description={`${report.outdated.reason}（${when(report.outdated.at)}）`}
        />
      )}
      {report.waiting.length > 0 && report.actions.includes('submit') && (
        <Alert
          type="error"
          showIcon
          style={{ margin: '8px 0' }}
          data-testid="report-waiting"
          title={`下级尚未上报：${report.waiting.map((c) => c.name).join('、')}`}
          description="须待其上报（再生成报表），或标记缺报并说明原因后上报"
        />
      )}
      {(report.missing.length > 0 || report.missingBelow.length > 0) && (
        <Alert
          type="info"
          showIcon
          style={{ margin: '8px 0' }}
          data-testid="report-missing"
          title="缺报"
          description={
            <ul style={{ margin: 0 }}>
              {report.missing.map((m) => (
                <li key={`own-${m.code}`}>
                  {m.name}缺报（本级标记）：{m.reason}
                </li>
              ))}
              {report.missingBelow.map((m) => (
                <li key={`below-${m.code}`}>
                  {m.name}缺报（{m.by}标记）：{m.reason}
                </li>
              ))}
            </ul>
          }
        />
      )}
    </>
  );
}

/** The indicators beyond the tolerance, named when few; a long list (a whole missing county) is counted, not spelled out. */
export const beyondSummary = (labels: readonly string[]) =>
  labels.length <= 3 ? labels.join('、') : `${labels.slice(0, 3).join('、')}等 ${labels.length} 项指标`;

export function reportColumns(form: FormCode) {
  return [
    {
      title: '辖区',
      dataIndex: 'name',
      key: 'name',
      fixed: 'left' as const,
      width: 150,
      render: (v: string, r: ReportRow) => (r.kind === 'total' ? <b>{v}</b> : v),
    },
    ...headerGroups(FORMS[form]).map((g) => ({
      title: g.label,
      key: g.group,
      children: g.columns.map((k) => ({
        title: (
          <span>
            {INDICATORS[k].label}
            <br />
            <Typography.Text type="secondary">（{INDICATORS[k].unit}）</Typography.Text>
          </span>
        ),
        key: k,
        dataIndex: k,
        width: 96,
        align: 'right' as const,
        render: (v: number | null) => indicatorValue(k, v),
      })),
    })),
  ];
}

/**
 * A report's figures: the grouped table on a wide screen; on a phone (where the table scrolled
 * sideways, 20-odd columns behind the first two) one row at a time — a 辖区 picked above, its
 * figures below, group by group, label and value on one line.
 */
export function ReportFigures({ form, rows, testId }: { form: FormCode; rows: readonly ReportRow[]; testId?: string }) {
  const phone = !Grid.useBreakpoint().md;
  const rowKey = (r: ReportRow) => `${r.kind}-${r.code ?? r.name}`;
  // The total first: what a reader of a report on a phone looks for.
  const first = rows.find((r) => r.kind === 'total') ?? rows[0];
  const [picked, setPicked] = useState<string | null>(null);
  if (!phone)
    return (
      <Table
        size="small"
        rowKey={rowKey}
        pagination={false}
        bordered
        scroll={{ x: 'max-content' }}
        dataSource={[...rows]}
        columns={reportColumns(form)}
        data-testid={testId}
      />
    );
  const row = rows.find((r) => rowKey(r) === picked) ?? first;
  if (!row) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="没有数据行" />;
  return (
    <div data-testid={testId}>
      {rows.length > 1 && (
        <Select
          value={rowKey(row)}
          onChange={setPicked}
          style={{ width: '100%', marginBottom: 8 }}
          aria-label="辖区"
          data-testid="report-row-pick"
          options={rows.map((r) => ({ value: rowKey(r), label: r.kind === 'total' ? `${r.name}（合计）` : r.name }))}
        />
      )}
      {headerGroups(FORMS[form]).map((g) => (
        <div key={g.group} style={{ marginBottom: 8 }}>
          <Typography.Text strong>{g.label}</Typography.Text>
          {g.columns.map((k) => (
            <div
              key={k}
              data-testid="report-figure"
              style={{
                display: 'flex',
                justifyContent: 'space-between',
                gap: 8,
                padding: '4px 0',
                borderBottom: '1px solid #f0f0f0',
              }}
            >
              <span style={{ minWidth: 0 }}>{INDICATORS[k].label}</span>
              <span style={{ flexShrink: 0, fontVariantNumeric: 'tabular-nums' }}>
                {indicatorValue(k, row[k])}
                {/* A rate carries its % already; a dash no unit. */}
                {INDICATORS[k].kind !== 'rate' && row[k] !== null && row[k] !== undefined && (
                  <Typography.Text type="secondary"> {INDICATORS[k].unit}</Typography.Text>
                )}
              </span>
            </div>
          ))}
        </div>
      ))}
    </div>
  );
}

/** The last five quarters (or years), newest first, by the deployment's calendar (Asia/Shanghai). */
function periods(form: FormCode): string[] {
  const month = localDate().slice(0, 7);
  return FORMS[form].period === 'year'
    ? [0, 1, 2, 3, 4].map((i) => String(Number(month.slice(0, 4)) - i))
    : [0, 1, 2, 3, 4].map((i) => periodOfDate('quarter', `${addMonths(month, -3 * i)}-01`));
}

export default function Reports() {
  const { can } = useAuth();
  const { message } = App.useApp();
  const [params, setParams] = useSearchParams();
  const form = (params.get('form') ?? 'xgz_core') as FormCode;
  const period = params.get('period') ?? periods(form)[0];
  const openId = Number(params.get('open')) || null;
  const [acting, setActing] = useState<'note' | 'submit' | 'return' | 'missing' | 'live' | null>(null);
  const set = (k: string, v: string | null) =>
    setParams((p) => {
      const n = new URLSearchParams(p);
      if (v) n.set(k, v);
      else n.delete(k);
      if (k !== 'open') n.delete('open');
      return n;
    });

  // The period's board, then its report. Each answer carries what it was asked for: while another
  // period (or form, or report) loads, the previous one's figures are not shown under the new title.
  const boardLoad = useCallback(
    () => call(getReportBoard, { query: { form, period } }).then((b) => ({ form, period, b })),
    [form, period],
  );
  const boardState = useLoad(boardLoad);
  const board = boardState.data?.form === form && boardState.data.period === period ? boardState.data.b : null;
  const reportId = openId ?? board?.own?.id ?? null;
  const reportLoad = useCallback(
    () => (reportId ? call(getReport, { params: { id: reportId } }) : Promise.resolve(null)),
    [reportId],
  );
  const reportState = useLoad<Report | null>(reportLoad);
  const report = reportId && reportState.data?.id === reportId ? reportState.data : null;
  const error = boardState.error ?? reportState.error;
  // Both at once: a board that names another report (one just prepared) loads it, and that answer wins.
  const load = () => Promise.all([boardState.reload(), reportState.reload()]);

  // Which preparation is under way: a city's or province's figures take a while, and a button that
  // said nothing till then was pressed again (a second preparation behind the first).
  const [preparing, setPreparing] = useState<'live' | 'snapshot' | null>(null);
  const prepare = async (source?: 'snapshot') => {
    setPreparing(source ?? 'live');
    try {
      const made = await call(prepareReport, { body: { form, period, ...(source ? { source } : {}) } });
      // Where its figures came from, as the report says it: a station has no level below, and was told 下级上报汇总.
      message.success(`${source ? '已按月度快照生成报表' : '已生成本级报表'}（${made.sourceLabel}）`);
      set('open', null);
      await load();
    } catch (e) {
      // A past period without its period-end snapshot: the preparer may take live figures, saying why.
      if (e instanceof ApiError && e.errors.some((x) => x.field === 'liveReason')) setActing('live');
      else message.error(applyProblem(null, e));
    } finally {
      setPreparing(null);
    }
  };
  const beyond = report?.differences.filter((d) => d.beyond) ?? [];
  const narrow = !Grid.useBreakpoint().md;
  const heading = (r: Report) => (
    <Space wrap size={[8, 4]}>
      <span style={{ whiteSpace: 'normal' }}>
        {r.node.name} · {r.title}
      </span>
      <Tag color={STATE_COLOR[r.state]}>{r.stateLabel}</Tag>
      {r.version > 0 && <Tag>已上报 {r.version} 版</Tag>}
      {r.accepted && <Tag color="green">第 {r.accepted.version} 版已审核通过</Tag>}
    </Space>
  );
  const done = async (text: string) => {
    setActing(null);
    message.success(text);
    await load();
  };

  return (
    <>
      <PageTitle title="统计报表" />
      <Space wrap style={{ marginBottom: 12 }}>
        <Select
          value={form}
          style={{ width: 260 }}
          onChange={(v) => setParams({ form: v })}
          options={Object.values(FORMS).map((f) => ({ value: f.code, label: f.title }))}
          aria-label="表式"
        />
        <Select
          value={period}
          style={{ width: 160 }}
          onChange={(v) => set('period', v)}
          options={periods(form).map((p) => ({ value: p, label: periodLabel(FORMS[form].period, p) }))}
          aria-label="报告期"
        />
        {can('data.write') && (
          <Button
            type="primary"
            icon={<ReloadOutlined />}
            loading={preparing === 'live'}
            disabled={preparing === 'snapshot'}
            onClick={() => prepare()}
          >
            {preparing === 'live' ? '正在生成…' : '生成本级报表'}
          </Button>
        )}
        {can('data.write') && (
          <Button
            loading={preparing === 'snapshot'}
            disabled={preparing === 'live'}
            onClick={() => prepare('snapshot')}
          >
            {preparing === 'snapshot' ? '正在生成…' : '按月度快照生成'}
          </Button>
        )}
      </Space>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      {board && board.children.length > 0 && (
        <Card
          size="small"
          // Wrapped, not cut: on a phone the due date was lost behind an ellipsis.
          title={
            <span style={{ whiteSpace: 'normal' }}>
              下级上报情况（{board.periodLabel}，上报期限 {board.dueOn}）
            </span>
          }
          style={{ marginBottom: 12 }}
        >
          <div data-testid="report-board">
            <ListOrCards<BoardChild>
              size="small"
              rowKey="code"
              pagination={false}
              dataSource={board.children}
              // A tap on a row (a card on a phone) opens its report.
              onOpen={(c) => c.report && set('open', String(c.report.id))}
              // On a phone each child is a card (status, 上报时间, 缺报 reasons in full): nothing scrolls sideways.
              card={(c) => ({
                title: c.name,
                status: <BoardStatus c={c} />,
                due: c.report?.submittedAt
                  ? { label: `第 ${c.report.version} 版上报于`, value: when(c.report.submittedAt) }
                  : undefined,
                lines: [
                  ...(c.overdue
                    ? [
                        <Tag key="o" color="red">
                          已逾期
                        </Tag>,
                      ]
                    : []),
                  ...c.carried.map((m) => `缺报：${m.name}（${m.by}标记：${m.reason}）`),
                ],
              })}
              scroll={{ x: 960 }}
              columns={[
                { title: '辖区', dataIndex: 'name', width: 130, fixed: 'left' as const },
                { title: '状态', render: (_: unknown, c) => <BoardStatus c={c} /> },
                {
                  title: '下级缺报',
                  width: 320,
                  render: (_: unknown, c) =>
                    c.carried.length
                      ? c.carried.map((m) => (
                          <div key={m.code}>
                            缺报：{m.name}（{m.by}标记：{m.reason}）
                          </div>
                        ))
                      : '—',
                },
                { title: '版本', render: (_: unknown, c) => (c.report?.version ? `第 ${c.report.version} 版` : '—') },
                { title: '上报时间', render: (_: unknown, c) => when(c.report?.submittedAt ?? null) },
                { title: '逾期', render: (_: unknown, c) => (c.overdue ? <Tag color="red">已逾期</Tag> : '') },
                {
                  title: '操作',
                  render: (_: unknown, c) =>
                    c.report ? (
                      <Button type="link" size="small" onClick={() => set('open', String(c.report!.id))}>
                        查看
                      </Button>
                    ) : null,
                },
              ]}
            />
          </div>
          <Space style={{ marginTop: 12, marginBottom: 8 }}>
            <Typography.Title level={5} style={{ margin: 0 }}>
              各下级最新上报版本（不含本级）
            </Typography.Title>
            {reported(board) && (
              <DownloadButton size="small" href={withQuery('/api/v1/reports/consolidated/export', { form, period })}>
                导出汇总表
              </DownloadButton>
            )}
          </Space>
          {reported(board) ? (
            <ReportFigures form={form} rows={board.consolidated} testId="report-consolidated" />
          ) : (
            // Not a 合计 of zeros, read as 0 户 存续主体: nothing has been reported yet to add up.
            <Typography.Text type="secondary" data-testid="report-consolidated-none">
              下级尚未上报本期报表，暂无汇总。
            </Typography.Text>
          )}
        </Card>
      )}
      {report ? (
        <Card
          size="small"
          data-testid="report"
          // On a phone the buttons fill the header and squeezed the title (with the report's state) to nothing: it goes into the body there.
          title={narrow ? undefined : heading(report)}
          extra={
            <Space wrap>
              {report.actions.includes('annotate') && <Button onClick={() => setActing('note')}>填写说明</Button>}
              {report.actions.includes('annotate') && (report.waiting.length > 0 || report.missing.length > 0) && (
                <Button onClick={() => setActing('missing')}>标记缺报</Button>
              )}
              {report.actions.includes('prepare') && report.outdated && (
                <Button loading={preparing === 'live'} onClick={() => prepare()}>
                  重新汇总
                </Button>
              )}
              {report.actions.includes('submit') && (
                <Button type="primary" icon={<SendOutlined />} onClick={() => setActing('submit')}>
                  上报
                </Button>
              )}
              {report.actions.includes('accept') && can('data.write') && (
                <Button
                  type="primary"
                  onClick={() =>
                    void call(acceptReport, { params: { id: report.id } })
                      .then(() => done(`已审核通过第 ${report.version} 版`))
                      .catch((e) => message.error(applyProblem(null, e)))
                  }
                >
                  审核通过
                </Button>
              )}
              {report.actions.includes('return') && can('data.write') && (
                <Button danger onClick={() => setActing('return')}>
                  退回修改
                </Button>
              )}
              <DownloadButton href={`/api/v1/reports/${report.id}/export`}>导出 Excel</DownloadButton>
              <Link to={`/reports/${report.id}/print`}>
                <Button icon={<PrinterOutlined />}>打印</Button>
              </Link>
            </Space>
          }
        >
          {narrow && <div style={{ marginBottom: 8, fontWeight: 600 }}>{heading(report)}</div>}
          <Descriptions
            size="small"
            column={{ xs: 1, md: 3 }}
            items={[
              { key: 'p', label: '报告期', children: report.periodLabel },
              { key: 'd', label: '上报期限', children: report.dueOn },
              { key: 's', label: '数据来源', children: report.sourceLabel },
              { key: 'n', label: '填报说明', children: report.note ?? '—' },
              ...(report.liveReason ? [{ key: 'l', label: '按实时数据填报的原因', children: report.liveReason }] : []),
              ...(report.explanation ? [{ key: 'e', label: '差异说明', children: report.explanation }] : []),
              ...(report.returnReason
                ? [
                    {
                      key: 'r',
                      label: '退回理由',
                      children: <Typography.Text type="danger">{report.returnReason}</Typography.Text>,
                    },
                  ]
                : []),
            ]}
          />
          <ReportNotices report={report} />
          {report.checks.length > 0 && (
            <Alert
              type="warning"
              showIcon
              style={{ margin: '8px 0' }}
              title="审核未通过（上报时须填写情况说明）"
              description={
                <ul style={{ margin: 0 }}>
                  {report.checks.map((c, i) => (
                    <li key={i}>{c.message}</li>
                  ))}
                </ul>
              }
            />
          )}
          <div style={{ marginTop: 8 }}>
            <ReportFigures form={report.form} rows={report.rows} testId="report-figures" />
          </div>
          {report.checkRows.length > 0 && (
            <>
              <Typography.Title level={5} style={{ marginTop: 16 }}>
                核对（不计入报表）
              </Typography.Title>
              <ReportFigures form={report.form} rows={report.checkRows} testId="report-check" />
            </>
          )}
          {report.differences.length > 0 && (
            <>
              <Typography.Title level={5} style={{ marginTop: 16 }}>
                与实时数的差异（允许范围 {Math.round(report.tolerance * 100)}%）
              </Typography.Title>
              <div data-testid="report-differences">
                <ListOrCards<Difference>
                  size="small"
                  rowKey={(d) => `${d.kind}-${d.code}-${d.key}`}
                  // The total too: a phone's cards page by it (171 differences stood one under another).
                  pagination={{ pageSize: 10, hideOnSinglePage: true, total: report.differences.length }}
                  scroll={{ x: 900 }}
                  dataSource={report.differences}
                  // On a phone each difference is a card: its row and indicator, the figures and the reason in full.
                  card={(d) => ({
                    title: `${d.row} · ${d.label}`,
                    status: <DifferenceTags d={d} />,
                    lines: [
                      `汇总 ${d.consolidated} · 实时 ${d.live} · 差 ${signed(d.difference)}`,
                      ...(d.explanation ? [`原因：${d.explanation}`] : []),
                    ],
                  })}
                  columns={[
                    { title: '行', dataIndex: 'row', width: 150 },
                    { title: '指标', dataIndex: 'label', width: 140 },
                    { title: '汇总', dataIndex: 'consolidated', align: 'right' as const, width: 80 },
                    { title: '实时', dataIndex: 'live', align: 'right' as const, width: 80 },
                    {
                      title: '差',
                      dataIndex: 'difference',
                      align: 'right' as const,
                      render: (v: number, d) => (
                        <Space size={4} wrap>
                          {signed(v)}
                          <DifferenceTags d={d} />
                        </Space>
                      ),
                    },
                    { title: '原因', dataIndex: 'explanation' },
                  ]}
                />
              </div>
            </>
          )}
          {report.versions.length > 0 && (
            <>
              <Typography.Title level={5} style={{ marginTop: 16 }}>
                上报版本（不可修改）
              </Typography.Title>
              <div data-testid="report-versions">
                <ListOrCards<Version>
                  size="small"
                  rowKey="version"
                  pagination={false}
                  dataSource={report.versions}
                  scroll={{ x: 900 }}
                  // On a phone each version is a card: the explanations and 缺报 reasons in full, no table scrolled sideways.
                  card={(v) => ({
                    title: `第 ${v.version} 版`,
                    status: (
                      <DownloadLink href={`/api/v1/reports/${report.id}/export?version=${v.version}`}>
                        Excel
                      </DownloadLink>
                    ),
                    due: { label: '上报时间', value: when(v.submittedAt) },
                    lines: [
                      `上报人：${v.submittedBy}`,
                      ...(v.acknowledgement ? [`情况说明：${v.acknowledgement}`] : []),
                      ...(v.explanation ? [`差异说明：${v.explanation}`] : []),
                      ...(v.missing.length ? [`缺报：${missingText(v.missing)}`] : []),
                    ],
                  })}
                  columns={[
                    { title: '版本', dataIndex: 'version', width: 70, render: (v: number) => `第 ${v} 版` },
                    { title: '上报时间', dataIndex: 'submittedAt', width: 140, render: when },
                    { title: '上报人', dataIndex: 'submittedBy', width: 110 },
                    {
                      title: '情况说明',
                      dataIndex: 'acknowledgement',
                      width: 180,
                      render: (v: string | null) => v ?? '—',
                    },
                    { title: '差异说明', dataIndex: 'explanation', width: 180, render: (v: string | null) => v ?? '—' },
                    {
                      title: '缺报',
                      width: 200,
                      dataIndex: 'missing',
                      render: (v: Mark[]) => (v.length ? missingText(v) : '—'),
                    },
                    {
                      title: '导出',
                      render: (_: unknown, v) => (
                        <DownloadLink href={`/api/v1/reports/${report.id}/export?version=${v.version}`}>
                          Excel
                        </DownloadLink>
                      ),
                    },
                  ]}
                />
              </div>
            </>
          )}
          <Typography.Title level={5} style={{ marginTop: 16 }}>
            流转记录
          </Typography.Title>
          <ul>
            {report.events.map((e, i) => (
              <li key={i}>
                {when(e.at)} {e.by}{' '}
                {
                  (
                    {
                      prepare: '生成报表',
                      submit: `上报第 ${e.version} 版`,
                      return: `退回第 ${e.version} 版：${e.reason}`,
                      accept: `审核通过第 ${e.version} 版`,
                    } as Record<string, string>
                  )[e.action]
                }
              </li>
            ))}
          </ul>
        </Card>
      ) : error ? null : !board || reportId ? (
        <LoadingBlock />
      ) : (
        <Card size="small">
          <Empty
            description={
              <>
                本级尚未生成该期报表。
                <br />
                {can('data.write')
                  ? '点击上方"生成本级报表"：数字取自台账和下级已上报的报表，无须逐项录入；生成后可核对、填写说明再上报。'
                  : '报表由本级业务人员生成并上报，生成后可在这里查看。'}
              </>
            }
          />
        </Card>
      )}
      {acting === 'note' && report && (
        <FormModal<{ note: string }>
          title="填写报表说明"
          initialValues={{ note: report.note ?? '' }}
          onClose={() => setActing(null)}
          onSubmit={async (v) => {
            await call(annotateReport, { params: { id: report.id }, body: { note: v.note || null } });
            await done('说明已保存');
          }}
        >
          <Form.Item name="note" label="填报说明">
            <Input.TextArea rows={4} maxLength={2000} />
          </Form.Item>
        </FormModal>
      )}
      {acting === 'submit' && report && (
        <FormModal<{ acknowledgement?: string }>
          title={`上报${report.title}（${report.periodLabel}）`}
          okText="上报"
          onClose={() => setActing(null)}
          onSubmit={async (v) => {
            await call(submitReport, { params: { id: report.id }, body: v });
            await done('已上报');
          }}
        >
          <Typography.Paragraph>
            上报后生成第 {report.version + 1} 版，不可再修改；如需更正，须由上级退回。
          </Typography.Paragraph>
          <ReportNotices report={report} />
          {report.checks.length > 0 && (
            <Form.Item
              name="acknowledgement"
              label="情况说明（审核未通过，须说明原因）"
              rules={[{ required: true, message: '请填写情况说明' }]}
            >
              <Input.TextArea rows={3} maxLength={2000} />
            </Form.Item>
          )}
          {beyond.length > 0 && (
            <Form.Item
              name="explanation"
              label="差异说明"
              extra={`${beyondSummary(beyond.map((d) => d.label))}与实时数的差异超出允许范围，须说明（逐项差异及原因见报表下方“与实时数的差异”）`}
              initialValue={report.explanation ?? undefined}
              rules={[{ required: true, whitespace: true, message: '请填写差异说明' }]}
            >
              <Input.TextArea rows={3} maxLength={2000} />
            </Form.Item>
          )}
        </FormModal>
      )}
      {acting === 'missing' && report && (
        <FormModal<{ codes: string[]; reason: string }>
          title="标记缺报"
          okText="保存"
          initialValues={{ codes: report.missing.map((m) => m.code), reason: report.missing[0]?.reason ?? '' }}
          onClose={() => setActing(null)}
          onSubmit={async (v) => {
            await call(annotateReport, {
              params: { id: report.id },
              body: { missing: v.codes.map((code) => ({ code, reason: v.reason })) },
            });
            await done('缺报已标记');
          }}
        >
          <Typography.Paragraph>
            标记为缺报的下级不计入本级汇总；缺报及原因随上报版本逐级上报，上级各级均可见。
          </Typography.Paragraph>
          <Form.Item
            label="缺报的下级"
            required
            extra={
              report.waiting.length > 1 && (
                <Form.Item noStyle shouldUpdate>
                  {(f) => (
                    <Button
                      type="link"
                      size="small"
                      style={{ paddingInline: 0 }}
                      onClick={() =>
                        f.setFieldValue('codes', [
                          ...new Set([
                            ...((f.getFieldValue('codes') as string[]) ?? []),
                            ...report.waiting.map((c) => c.code),
                          ]),
                        ])
                      }
                    >
                      选择全部未上报的下级（{report.waiting.length} 个）
                    </Button>
                  )}
                </Form.Item>
              )
            }
          >
            <Form.Item name="codes" noStyle rules={[{ required: true, message: '请选择缺报的下级' }]}>
              <Select
                mode="multiple"
                aria-label="缺报的下级"
                options={[...report.waiting, ...report.missing].map((c) => ({ value: c.code, label: c.name }))}
              />
            </Form.Item>
          </Form.Item>
          <Form.Item
            name="reason"
            label="缺报原因"
            rules={[{ required: true, whitespace: true, message: '请填写缺报原因' }]}
          >
            <Input.TextArea rows={3} maxLength={500} />
          </Form.Item>
        </FormModal>
      )}
      {acting === 'live' && (
        <FormModal<{ liveReason: string }>
          title="该报告期没有期末快照"
          okText="按实时数据生成"
          onClose={() => setActing(null)}
          onSubmit={async (v) => {
            await call(prepareReport, { body: { form, period, source: 'live', liveReason: v.liveReason } });
            setActing(null);
            set('open', null);
            message.success('已按实时数据生成报表');
            await load();
          }}
        >
          <Alert
            type="warning"
            showIcon
            style={{ marginBottom: 12 }}
            title="报告期已结束，但没有该期的期末快照"
            description="可改按当前实时数据填报，数字反映的是今天而不是期末的情况；须说明原因，原因随上报版本保存。"
          />
          <Form.Item
            name="liveReason"
            label="按实时数据填报的原因"
            rules={[{ required: true, whitespace: true, message: '请说明原因' }]}
          >
            <Input.TextArea rows={3} maxLength={500} />
          </Form.Item>
        </FormModal>
      )}
      {acting === 'return' && report && (
        <FormModal<{ reason: string }>
          title={`退回 ${report.node.name} 的报表`}
          okText="退回"
          danger
          onClose={() => setActing(null)}
          onSubmit={async (v) => {
            await call(returnReport, { params: { id: report.id }, body: v });
            await done('已退回');
          }}
        >
          <Form.Item
            name="reason"
            label="退回理由"
            rules={[{ required: true, whitespace: true, message: '请填写退回理由' }]}
          >
            <Input.TextArea rows={3} maxLength={500} />
          </Form.Item>
        </FormModal>
      )}
    </>
  );
}

type BoardChild = ReportBoard['children'][number];
type Version = Report['versions'][number];

const signed = (v: number) => (v > 0 ? `+${v}` : String(v));
const missingText = (marks: readonly Mark[]) => marks.map((m) => `${m.name}（${m.reason}）`).join('；');

/** Why a difference matters: beyond the tolerance, or explained by a 缺报 mark. */
function DifferenceTags({ d }: { d: Difference }) {
  return (
    <>
      {d.beyond && (
        <Tag color="red" style={{ marginInlineEnd: 0 }}>
          超出允许范围
        </Tag>
      )}
      {d.byMissing && (
        <Tag color="blue" style={{ marginInlineEnd: 0 }}>
          缺报原因即说明
        </Tag>
      )}
    </>
  );
}

/** Whether the server's 汇总 holds a level below (only submitted reports are added up), not its 合计 alone. */
const reported = (b: ReportBoard) => b.consolidated.some((r) => r.kind === 'child');

/** A child's report on the board: its state, 未上报 or its 缺报 mark, 待更新, 待审核 / 已审核通过. */
function BoardStatus({ c }: { c: BoardChild }) {
  return (
    <Space size={4} wrap>
      {c.report ? <Tag color={STATE_COLOR[c.report.state]}>{c.report.stateLabel}</Tag> : <Tag>未生成</Tag>}
      {c.report?.state !== 'submitted' && (
        // The reason is free text: it wraps (a tag does not), or a phone's card would be pushed past the screen's edge.
        <Tag
          color={c.marked ? 'purple' : 'red'}
          style={{ whiteSpace: 'normal', overflowWrap: 'anywhere', marginInlineEnd: 0 }}
        >
          {c.marked ? `已标记缺报：${c.marked}` : '未上报'}
        </Tag>
      )}
      {c.report?.outdated && <Tag color="gold">待更新</Tag>}
      {c.report?.accepted ? (
        <Tag color="green">已审核通过</Tag>
      ) : (
        c.report?.state === 'submitted' && <Tag color="blue">待审核</Tag>
      )}
    </Space>
  );
}
