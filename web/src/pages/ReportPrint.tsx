import { useCallback } from 'react';
import { Button, Space } from 'antd';
import { ArrowLeftOutlined, PrinterOutlined } from '@ant-design/icons';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { INDICATORS } from '@domain/indicators/registry';
import { FORMS, headerGroups } from '@domain/reports/forms';
import { call } from '../api';
import { Loaded, useLoad } from '../components/Loading';
import { indicatorValue } from '../components/format';
import {
  getReport,
  getReportVersion,
  type ReportDetail as Report,
  type ReportRow,
} from '@server/features/reports/contract';

/** The report as printed (the PDF form: print to PDF from the browser): A4 landscape, the official three-row header, the menu hidden. */
const PRINT_CSS = `
@page { size: A4 landscape; margin: 10mm; }
@media print { .ant-layout-sider, .ant-layout-header, .ant-layout-footer, .no-print { display: none !important; } .ant-layout-content { padding: 0 !important; } }
.report-sheet { background: #fff; padding: 8mm; font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", serif; color: #000; }
.report-sheet h1 { text-align: center; font-size: 18pt; margin: 0 0 3mm; }
.report-sheet .meta { display: flex; justify-content: space-between; font-size: 10pt; margin-bottom: 2mm; }
.report-sheet table { border-collapse: collapse; width: 100%; font-size: 8pt; }
.report-sheet th, .report-sheet td { border: 1px solid #000; padding: 1mm; text-align: center; }
.report-sheet td.num { text-align: right; }
.report-sheet tr.total td { font-weight: 700; }
.report-sheet .foot { display: flex; gap: 12mm; font-size: 10pt; margin-top: 3mm; }
`;

export default function ReportPrint() {
  const { id } = useParams();
  const [params] = useSearchParams();
  const version = params.get('version');
  // The answer carries the report and version it was asked for: another one is not shown while this one loads.
  const load = useCallback(async () => ({ id, version, r: await printed(id!, version) }), [id, version]);
  const { data, error } = useLoad(load);
  return (
    <Loaded data={data && data.id === id && data.version === version ? data.r : null} error={error}>
      {(r) => <ReportSheet r={r} version={version} />}
    </Loaded>
  );
}

type Printed = Report & { by?: string; date?: string };

/** The report as prepared, or one submitted version of it (its rows, note and who submitted it when). */
async function printed(id: string, version: string | null): Promise<Printed> {
  const rep = await call(getReport, { params: { id } });
  if (!version) return { ...rep, date: rep.preparedAt.slice(0, 10) };
  const v = await call(getReportVersion, { params: { id, version } });
  return {
    ...rep,
    rows: v.rows,
    note: v.note,
    source: v.source,
    asOf: v.asOf,
    sourceLabel: v.sourceLabel,
    liveReason: v.liveReason,
    missing: v.missing,
    missingBelow: [],
    checkRows: [],
    explanation: v.explanation,
    by: v.submittedBy,
    date: v.submittedAt.slice(0, 10),
  };
}

function ReportSheet({ r, version }: { r: Printed; version: string | null }) {
  const form = FORMS[r.form];
  const groups = headerGroups(form);
  const cell = (row: ReportRow, k: (typeof form.columns)[number]) => indicatorValue(k, row[k]);
  return (
    <>
      <style>{PRINT_CSS}</style>
      <Space className="no-print" style={{ marginBottom: 12 }}>
        <Link to={`/reports?open=${r.id}`}>
          <Button icon={<ArrowLeftOutlined />}>返回</Button>
        </Link>
        <Button type="primary" icon={<PrinterOutlined />} onClick={() => window.print()}>
          打印 / 另存为 PDF
        </Button>
      </Space>
      <div className="report-sheet" data-testid="report-sheet">
        <h1>{form.title}</h1>
        <div className="meta">
          <span>填报单位：{r.node.name}</span>
          <span>报告期：{r.periodLabel}</span>
          <span>数据来源：{r.sourceLabel}</span>
        </div>
        <table>
          <thead>
            <tr>
              <th rowSpan={3}>辖区</th>
              {groups.map((g) => (
                <th key={g.group} colSpan={g.columns.length}>
                  {g.label}
                </th>
              ))}
            </tr>
            <tr>
              {form.columns.map((k) => (
                <th key={k}>{INDICATORS[k].label}</th>
              ))}
            </tr>
            <tr>
              {form.columns.map((k) => (
                <th key={k}>{INDICATORS[k].unit}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {r.rows.map((row) => (
              <tr key={`${row.kind}-${row.code}`} className={row.kind}>
                <td>{row.name}</td>
                {form.columns.map((k) => (
                  <td key={k} className="num">
                    {cell(row, k)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        <div className="foot">
          <span>填报人：{r.by ?? '（工作稿）'}</span>
          <span>填报日期：{r.date}</span>
          <span>{version ? `第 ${version} 版` : `工作稿（${r.stateLabel}）`}</span>
        </div>
        {r.note && (
          <div className="foot">
            <span>填报说明：{r.note}</span>
          </div>
        )}
        {r.liveReason && (
          <div className="foot">
            <span>期末无快照，按实时数据填报：{r.liveReason}</span>
          </div>
        )}
        {[...r.missing, ...r.missingBelow].length > 0 && (
          <div className="foot">
            <span>
              缺报：{[...r.missing, ...r.missingBelow].map((m) => `${m.name}（${m.by}标记：${m.reason}）`).join('；')}
            </span>
          </div>
        )}
        {r.explanation && (
          <div className="foot">
            <span>差异说明：{r.explanation}</span>
          </div>
        )}
      </div>
    </>
  );
}
