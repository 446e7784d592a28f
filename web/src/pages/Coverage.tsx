import { useCallback, useMemo, type ReactNode } from 'react';
import { Alert, Card, Col, Empty, Row, Statistic, Tabs, Tooltip, Typography, type TableColumnType } from 'antd';
import { FiguresTable } from '../components/ListOrCards';
import { QuestionCircleOutlined } from '@ant-design/icons';
import { Link, useSearchParams } from 'react-router-dom';
import { call, withQuery } from '../api';
import { useAuth } from '../auth';
import { percentAxisMax } from '@server/domain/indicators/axis';
import { PageTitle } from '../Layout';
import { num, pct } from '../components/format';
import { EChart } from '../components/EChart';
import type { CoverageFilter } from '../components/labels';
import { DrillTrail } from '../components/trail';
import { Loaded, useLoad } from '../components/Loading';
import { getCoverage, type CoverageData, type CoverageFigures } from '@server/features/coverage/contract';

type Figures = CoverageFigures;
type Child = CoverageData['children'][number];
type SplitRow = CoverageData['splits']['kind'][number];

/** The entity list behind a figure; `extra` narrows it the way the figure's row does. */
const entitiesHref = (under: string, coverage: CoverageFilter, extra: Record<string, string> = {}) =>
  withQuery('/entities', { under, coverage, ...extra });

function Count({ n, href }: { n: number; href: string | null }) {
  return href && n > 0 ? <Link to={href}>{num(n)}</Link> : <>{num(n)}</>;
}

type Headline = {
  title: string;
  tip: string;
  value: (t: Figures) => string | number;
  filter?: CoverageFilter;
  notes: (t: Figures) => [string, number, CoverageFilter | null][];
};
const HEADLINES: Headline[] = [
  {
    title: '存续主体',
    tip: '只统计登记状态为存续的市场主体，注销、吊销、迁出的不计入',
    value: (t) => t.operating,
    filter: 'operating',
    notes: (t) => [['尚未工作覆盖', t.operating - t.work, 'no_work']],
  },
  {
    title: '有党员的主体',
    tip: '比对名册找到党员，或最近一次年报申报有党员的存续主体',
    value: (t) => t.withMembers,
    filter: 'with_members',
    notes: (t) => [['其中未覆盖党组织', t.withMembers - t.membersAnyOrg, 'members_no_org']],
  },
  {
    title: '组织覆盖率',
    tip: '已建党组织（单独建、联合建、挂靠建等）覆盖的存续主体 ÷ 存续主体；筹建中的组织不计',
    value: (t) => pct(t.orgCoverage),
    notes: (t) => [['党组织覆盖', t.anyOrg, 'any_org']],
  },
  {
    title: '单独组建率',
    tip: '单独建立党组织的存续主体 ÷ 存续主体',
    value: (t) => pct(t.standaloneRate),
    notes: (t) => [['单独建立党组织', t.ownOrg, 'own_org']],
  },
  {
    title: '工作覆盖率',
    tip: '有已建党组织覆盖，或已登记党建联络员的存续主体 ÷ 存续主体',
    value: (t) => pct(t.workCoverage),
    notes: (t) => [['工作覆盖', t.work, 'work']],
  },
  {
    title: '有党员主体的组织覆盖率',
    tip: '有党员的存续主体中，已被党组织覆盖的比例',
    value: (t) => pct(t.orgCoverageWithMembers),
    notes: (t) => [['有党员且已覆盖', t.membersAnyOrg, null]],
  },
];

const byRate = (k: keyof Figures) => (a: Figures, b: Figures) => (a[k] ?? -1) - (b[k] ?? -1);

/** The figure columns every coverage table shares; `hrefOf` says where a row's counts lead (null: nowhere). */
function figureColumns<T extends Figures>(hrefOf: (row: T, f: CoverageFilter) => string | null): TableColumnType<T>[] {
  const count = (title: string, key: keyof Figures, f: CoverageFilter) => ({
    title,
    dataIndex: key,
    width: 96,
    align: 'right' as const,
    sorter: byRate(key),
    render: (n: number, r: T) => <Count n={n} href={hrefOf(r, f)} />,
  });
  const rate = (title: string, key: keyof Figures) => ({
    title,
    dataIndex: key,
    width: 100,
    align: 'right' as const,
    sorter: byRate(key),
    render: (v: number | null) => pct(v),
  });
  return [
    count('存续主体', 'operating', 'operating'),
    count('有党员', 'withMembers', 'with_members'),
    count('组织覆盖数', 'anyOrg', 'any_org'),
    rate('组织覆盖率', 'orgCoverage'),
    rate('单独组建率', 'standaloneRate'),
    rate('工作覆盖率', 'workCoverage'),
  ];
}

export default function Coverage() {
  const { me } = useAuth();
  const root = me!.jurisdiction.code;
  const [params, setParams] = useSearchParams();
  const under = params.get('under') ?? root;
  const drill = (code: string) => setParams(code === root ? {} : { under: code });

  // An answer for another jurisdiction (drilled past before it came) is dropped, not shown under this one's trail.
  const { data, loading, error } = useLoad(useCallback(() => call(getCoverage, { query: { under } }), [under]));

  return (
    <div>
      <PageTitle title="两个覆盖" />
      <DrillTrail under={under} root={root} onDrill={drill} />
      <Loaded data={loading ? null : data} error={error}>
        {(data) =>
          data.total.operating === 0 ? (
            <Card>
              <Empty description={'本辖区尚无存续的市场主体。可在"数据导入"中导入登记信息。'} />
            </Card>
          ) : (
            <CoverageView data={data} onDrill={drill} />
          )
        }
      </Loaded>
    </div>
  );
}

function CoverageView({ data, onDrill }: { data: CoverageData; onDrill: (code: string) => void }) {
  const { node, total, unassigned, children, splits } = data;
  const here = (f: CoverageFilter, extra?: Record<string, string>) => entitiesHref(node.code, f, extra);
  return (
    <>
      <Typography.Paragraph type="secondary">
        {node.name}：组织覆盖与工作覆盖情况（筹建中的组织不计入覆盖；点击数字查看对应的市场主体）
      </Typography.Paragraph>
      <Row gutter={[12, 12]} style={{ marginBottom: 16 }}>
        {HEADLINES.map((h) => (
          <Col key={h.title} xs={12} sm={8} xl={4}>
            <Card size="small" style={{ height: '100%' }}>
              <Statistic
                title={
                  <span>
                    {h.title}{' '}
                    <Tooltip title={h.tip}>
                      <QuestionCircleOutlined style={{ color: '#999' }} />
                    </Tooltip>
                  </span>
                }
                value={h.value(total)}
                valueRender={(v) => (h.filter ? <Link to={here(h.filter)}>{v}</Link> : v)}
              />
              {h.notes(total).map(([label, n, f]) => (
                <div key={label} style={{ fontSize: 12, color: '#666' }}>
                  {label} <Count n={n} href={f && here(f)} /> 户
                </div>
              ))}
            </Card>
          </Col>
        ))}
      </Row>
      {children.length > 0 && <ChildrenCard data={data} onDrill={onDrill} />}
      {children.length === 0 && unassigned.operating > 0 && node.level !== 'station' && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          title={`另有 ${num(unassigned.operating)} 户存续主体未分配到基层所`}
        />
      )}
      <Card size="small" title="分类统计">
        <Tabs
          items={[
            {
              key: 'kind',
              label: '按主体类型',
              children: <SplitTable rows={splits.kind} hrefOf={(r, f) => here(f, { kind: r.value })} />,
            },
            {
              key: 'newness',
              label: '按新设/存量',
              children: (
                <SplitTable rows={splits.newness} hrefOf={(r, f) => here(f, { isNew: String(r.value === 'new') })} />
              ),
            },
            {
              key: 'zoneKind',
              label: '按区域类型',
              children: <SplitTable rows={splits.zoneKind} empty="本辖区的主体尚未归入专业市场、园区、楼宇或商圈" />,
            },
            { key: 'industry', label: '按行业门类', children: <SplitTable rows={splits.industry} /> },
            {
              key: 'zones',
              label: '重点区域',
              children: (
                <SplitTable
                  rows={splits.zones}
                  hrefOf={(r, f) => here(f, { zoneId: r.value })}
                  empty="本辖区的主体尚未归入专业市场、园区、楼宇或商圈"
                />
              ),
            },
          ]}
        />
      </Card>
    </>
  );
}

function ChildrenCard({ data, onDrill }: { data: CoverageData; onDrill: (code: string) => void }) {
  const { children, unassigned } = data;
  const stations = children[0].level === 'station';
  // Entities hanging on this node itself (no station yet) get their own row, which cannot be drilled into.
  const rows: Child[] =
    unassigned.operating > 0 ? [...children, { ...unassigned, code: '', name: '未分配到基层所', level: '' }] : children;
  // Nodes with no operating entity have no rate to compare; the table still lists them.
  const ranked = useMemo(
    () => children.filter((c) => c.operating > 0).sort((a, b) => byRate('orgCoverage')(b, a)),
    [children],
  );
  // The axis fits the rates shown (small ones early in the work would be slivers under a fixed floor).
  const axisMax = percentAxisMax(Math.max(0, ...ranked.map((c) => (c.orgCoverage ?? 0) * 100)));
  const option = useMemo(
    () => ({
      grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: number) => `${v.toFixed(1)}%` },
      xAxis: {
        type: 'value',
        max: axisMax,
        axisLabel: { formatter: '{value}%' },
      },
      yAxis: {
        type: 'category',
        inverse: true,
        data: ranked.map((c) => c.name),
        axisLabel: { width: 110, overflow: 'truncate' },
      },
      series: [
        {
          type: 'bar',
          name: '组织覆盖率',
          barMaxWidth: 18,
          itemStyle: { color: '#c62828' },
          cursor: 'pointer',
          data: ranked.map((c) => (c.orgCoverage === null ? 0 : +(c.orgCoverage * 100).toFixed(1))),
          label: {
            show: true,
            position: 'right',
            formatter: (p: { dataIndex: number }) => pct(ranked[p.dataIndex].orgCoverage),
          },
        },
      ],
    }),
    [ranked, axisMax],
  );
  return (
    <Card size="small" title={stations ? '各基层所对比' : '下级辖区对比'} style={{ marginBottom: 16 }}>
      <Row gutter={[16, 16]}>
        <Col xs={24} xxl={14}>
          <FiguresTable<Child>
            rowKey={(r) => r.code || 'unassigned'}
            size="small"
            dataSource={rows}
            pagination={false}
            scroll={{ x: 760 }}
            columns={[
              {
                title: stations ? '基层所' : '辖区',
                dataIndex: 'name',
                fixed: 'left',
                width: 150,
                render: (n: string, r) =>
                  r.code ? (
                    <a onClick={() => onDrill(r.code)}>{n}</a>
                  ) : (
                    <Typography.Text type="warning">{n}</Typography.Text>
                  ),
              },
              ...figureColumns<Child>((r, f) => (r.code ? entitiesHref(r.code, f) : null)),
            ]}
          />
        </Col>
        {ranked.length > 0 && (
          <Col xs={24} xxl={10} data-axis-max={axisMax}>
            <Typography.Text type="secondary">组织覆盖率排序（点击条形进入该辖区）</Typography.Text>
            <EChart
              option={option}
              height={Math.max(160, ranked.length * 28 + 24)}
              onClick={(p) => onDrill(ranked[p.dataIndex].code)}
            />
          </Col>
        )}
      </Row>
    </Card>
  );
}

function SplitTable({
  rows,
  hrefOf,
  empty,
}: {
  rows: SplitRow[];
  hrefOf?: (r: SplitRow, f: CoverageFilter) => string | null;
  empty?: ReactNode;
}) {
  return (
    <FiguresTable<SplitRow>
      rowKey="value"
      size="small"
      dataSource={rows}
      pagination={false}
      scroll={{ x: 760 }}
      locale={{ emptyText: empty ?? '暂无数据' }}
      columns={[
        { title: '类别', dataIndex: 'label', fixed: 'left', width: 150 },
        ...figureColumns<SplitRow>(hrefOf ?? (() => null)),
      ]}
    />
  );
}
