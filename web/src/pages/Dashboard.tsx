import { useCallback, useMemo, useState } from 'react';
import {
  App,
  Button,
  Card,
  Col,
  Empty,
  Grid,
  Popconfirm,
  Row,
  Segmented,
  Select,
  Space,
  Statistic,
  Tooltip,
  Typography,
} from 'antd';
import { CameraOutlined, QuestionCircleOutlined } from '@ant-design/icons';
import { Link, useSearchParams } from 'react-router-dom';
import {
  COUNTS,
  GROUP_LABEL,
  INDICATORS,
  RATES,
  orgKindKey,
  setupModeKey,
  type CountKey,
  type IndicatorGroup,
  type IndicatorKey,
  type RateKey,
} from '@domain/indicators/registry';
import { ORG_KIND_LABEL, SETUP_MODE_LABEL, type OrgKind, type SetupMode } from '@domain/orgs/rules';
import { PENDING_STATES } from '@domain/cases/workflow';
import { call, withQuery } from '../api';
import { getDashboard, takeSnapshotsNow, type Dashboard, type Values } from '@server/features/indicators/contract';
import { useAuth } from '../auth';
import { percentAxisMax } from '@server/domain/indicators/axis';
import { PageTitle } from '../Layout';
import { applyProblem } from '../components/problem';
import { indicatorValue, pct } from '../components/format';
import { EChart } from '../components/EChart';
import { DrillTrail } from '../components/trail';
import { Loaded, useLoad } from '../components/Loading';
import { escapeHtml } from '../components/escape';
import { FiguresTable } from '../components/ListOrCards';

type DashboardData = Dashboard;
type Child = Dashboard['children'][number];
type Month = Dashboard['trend'][number];

/** The list behind a figure, for the node `under`; null where no list answers it. */
function listOf(key: IndicatorKey, under: string): string | null {
  const entities = (q: Record<string, string>) => withQuery('/entities', { under, ...q });
  const orgs = (q: Record<string, string>) => withQuery('/orgs', { under, body: 'party', ...q });
  const links: Partial<Record<IndicatorKey, string>> = {
    operating: entities({ coverage: 'operating' }),
    kindEnterprise: entities({ coverage: 'operating', kind: 'enterprise' }),
    kindIndividual: entities({ coverage: 'operating', kind: 'individual' }),
    kindCooperative: entities({ coverage: 'operating', kind: 'cooperative' }),
    newEntities: entities({ coverage: 'operating', isNew: 'true' }),
    withMembers: entities({ coverage: 'with_members' }),
    ownOrg: entities({ coverage: 'own_org' }),
    anyOrg: entities({ coverage: 'any_org' }),
    work: entities({ coverage: 'work' }),
    orgCoverage: entities({ coverage: 'any_org' }),
    standaloneRate: entities({ coverage: 'own_org' }),
    workCoverage: entities({ coverage: 'work' }),
    membersFound: withQuery('/members', { under, linked: 'true' }),
    membersOnRoster: withQuery('/members', { under, held: 'true' }),
    casesOpen: withQuery('/discovery', { under, state: PENDING_STATES.join(',') }),
    orgsEstablished: orgs({ status: 'established' }),
    orgsPreparing: orgs({ status: 'preparing' }),
    ...Object.fromEntries(
      (Object.keys(ORG_KIND_LABEL) as OrgKind[]).map((k) => [orgKindKey(k), orgs({ status: 'established', kind: k })]),
    ),
    ...Object.fromEntries(
      (Object.keys(SETUP_MODE_LABEL) as SetupMode[]).map((m) => [
        setupModeKey(m),
        orgs({ status: 'established', setupMode: m }),
      ]),
    ),
    instructorsActive: withQuery('/instructors', { under }),
    assignmentsInForce: withQuery('/instructors', { under }),
    entitiesReached: withQuery('/instructors', { under }),
    guidanceThisYear: withQuery('/instructors', { under }),
    // Each opens its list as the figure counts it: records 亮牌中, valid plaques, points in force, honours
    // awarded (the whole list held withdrawn records, revoked points and nominations too: 7 三亮党员 opened 8).
    sanliangParticipants: withQuery('/sanliang', { under, status: 'active' }),
    validPlaques: withQuery('/sanliang', { under, plaque: 'valid' }),
    contactPoints: withQuery('/points', { under, kind: 'contact', status: 'active' }),
    demoPoints: withQuery('/points', { under, kind: 'demo', status: 'active' }),
    honoursAwarded: withQuery('/honours', { under, state: 'awarded' }),
    secretaries: '/education',
    secretariesTrained: '/education',
    trainingCompletion: '/education',
    xgzCommittees: withQuery('/units', { under, kind: 'xgz_committee', status: 'active' }),
    guidancePosts: withQuery('/units', { under, kind: 'guidance_post', status: 'active' }),
    ...Object.fromEntries(
      (
        [
          'appealsReceived',
          'appealsOpen',
          'appealsClosed',
          'appealsOverdue',
          'appealsRated',
          'appealsSatisfied',
          'appealSatisfaction',
          'visits',
          'entitiesVisited',
          'visitProblems',
        ] as const
      ).map((k) => [k, '/appeals']),
    ),
    ...Object.fromEntries(
      (Object.keys(COUNTS) as CountKey[])
        .filter((k) => COUNTS[k].group === 'newEmployment' || COUNTS[k].group === 'league')
        .map((k) => [
          k,
          COUNTS[k].group === 'league' ? orgs({ status: 'established', body: 'league' }) : '/new-employment',
        ]),
    ),
    platformOrgCoverage: '/new-employment',
    stationOrgCoverage: '/new-employment',
    stationWorkCoverage: '/new-employment',
    ...Object.fromEntries(
      (Object.keys(COUNTS) as CountKey[])
        .filter((k) => COUNTS[k].group === 'assistance')
        .map((k) => [k, '/assistance']),
    ),
  };
  return links[key] ?? null;
}

const show = (key: IndicatorKey, v: Values) => indicatorValue(key, v[key]);

/** Headline cards: one row per group, the figures of the group, each a link to its list. */
const HEADLINES: { group: IndicatorGroup; keys: IndicatorKey[] }[] = [
  { group: 'entities', keys: ['operating', 'newEntities', 'kindEnterprise', 'kindIndividual', 'kindCooperative'] },
  {
    group: 'coverage',
    keys: ['orgCoverage', 'workCoverage', 'standaloneRate', 'withMembers', 'orgCoverageWithMembers'],
  },
  { group: 'members', keys: ['membersFound', 'membersOnRoster', 'casesOpen'] },
  {
    group: 'orgs',
    keys: ['orgsEstablished', 'orgsPreparing', 'orgsBranch', 'orgsJointBranch', 'modeStandalone', 'modeZone'],
  },
  { group: 'instructors', keys: ['instructorsActive', 'assignmentsInForce', 'entitiesReached', 'guidanceThisYear'] },
  { group: 'sanliang', keys: ['sanliangParticipants', 'validPlaques'] },
  { group: 'points', keys: ['contactPoints', 'demoPoints'] },
  { group: 'honours', keys: ['honoursAwarded'] },
  { group: 'training', keys: ['trainingCompletion', 'secretaries', 'secretariesTrained'] },
  { group: 'units', keys: ['xgzCommittees', 'guidancePosts'] },
  {
    group: 'appeals',
    keys: ['appealsReceived', 'appealsClosed', 'appealsOverdue', 'appealSatisfaction', 'visits', 'visitProblems'],
  },
  {
    group: 'newEmployment',
    keys: [
      'platforms',
      'platformPartners',
      'deliveryStations',
      'riders',
      'memberRiders',
      'riderCommittees',
      'mobileBranches',
      'mobileCardsValid',
      'stationOrgCoverage',
      'stationWorkCoverage',
    ],
  },
  { group: 'league', keys: ['leagueOrgs', 'leagueMembers'] },
  {
    group: 'assistance',
    keys: [
      'assistancePrograms',
      'assistedEntities',
      'assistedResolved',
      'assistedImproved',
      'assistedUnresolved',
      'assistedOngoing',
    ],
  },
];

export default function Dashboard() {
  const { me, can } = useAuth();
  const { message } = App.useApp();
  const root = me!.jurisdiction.code;
  const [params, setParams] = useSearchParams();
  const under = params.get('under') ?? root;
  const drill = (code: string) => setParams(code === root ? {} : { under: code });

  // An answer for another jurisdiction (drilled past before it came) is dropped, not shown under this one's trail.
  const { data, loading, error, reload } = useLoad(
    useCallback(() => call(getDashboard, { query: { under } }), [under]),
  );

  const snapshot = async () => {
    try {
      const r = await call(takeSnapshotsNow);
      message.success(`已取 ${r.period} 月度快照（${r.nodes} 个辖区）`);
      void reload();
    } catch (e) {
      message.error(applyProblem(null, e));
    }
  };

  return (
    <div>
      <PageTitle
        title="数据看板"
        extra={
          can('data.write') && (
            <Popconfirm
              title="为本辖区及下级各辖区取本月快照？"
              description="本月已有的快照将被替换，以前各月保留。"
              okText="取快照"
              cancelText="取消"
              onConfirm={snapshot}
            >
              <Button icon={<CameraOutlined />}>取本月快照</Button>
            </Popconfirm>
          )
        }
      />
      <DrillTrail under={under} root={root} onDrill={drill} />
      <Loaded data={loading ? null : data} error={error}>
        {(data) => <DashboardView data={data} onDrill={drill} />}
      </Loaded>
    </div>
  );
}

function DashboardView({ data, onDrill }: { data: DashboardData; onDrill: (code: string) => void }) {
  const { node, figures } = data;
  return (
    <>
      <Typography.Paragraph type="secondary">
        {node.name}：各项指标为当前实时数据；趋势中以前各月取自月度快照。点击数字查看对应清单，点击下级辖区进入下钻。
      </Typography.Paragraph>
      {HEADLINES.map(({ group, keys }) => (
        <Card key={group} size="small" title={GROUP_LABEL[group]} style={{ marginBottom: 12 }}>
          <Row gutter={[12, 12]}>
            {keys.map((k) => {
              const d = INDICATORS[k];
              const href = listOf(k, node.code);
              return (
                <Col key={k} xs={12} sm={8} lg={6} xl={4} data-indicator={k}>
                  <Statistic
                    title={
                      <span>
                        {d.label}
                        {d.note && (
                          <>
                            {' '}
                            <Tooltip title={d.note}>
                              <QuestionCircleOutlined style={{ color: '#999' }} />
                            </Tooltip>
                          </>
                        )}
                      </span>
                    }
                    value={show(k, figures)}
                    suffix={d.kind === 'count' ? d.unit : undefined}
                    valueRender={(v) => (href ? <Link to={href}>{v}</Link> : v)}
                  />
                </Col>
              );
            })}
          </Row>
          {group === 'members' && (figures.membersFound ?? 0) > (figures.membersOnRoster ?? 0) && (
            <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }} data-testid="members-rule">
              两个数按不同规则计入辖区："已找到的党员"按其所在市场主体计入，"名册党员"按名册所在单位计入（名册由上级导入时计在上级），所以前者可以多于后者。
            </Typography.Paragraph>
          )}
        </Card>
      ))}
      {figures.operating === 0 ? (
        <Card>
          <Empty description={'本辖区尚无存续的市场主体。可在"数据导入"中导入登记信息。'} />
        </Card>
      ) : (
        <>
          {data.children.length > 0 && <ChildrenCard data={data} onDrill={onDrill} />}
          <Row gutter={[12, 12]}>
            <Col xs={24} xl={14}>
              <TrendCard trend={data.trend} />
            </Col>
            <Col xs={24} xl={10}>
              <FunnelCard funnel={data.funnel} />
            </Col>
          </Row>
        </>
      )}
    </>
  );
}

const RATE_CHOICES: RateKey[] = ['orgCoverage', 'workCoverage', 'standaloneRate', 'orgCoverageWithMembers'];
/** From pale to the party red, by a share of 0..1. */
const shade = (r: number | null) =>
  r === null ? '#bdbdbd' : `hsl(0, ${Math.round(35 + 40 * r)}%, ${Math.round(78 - 40 * r)}%)`;

function ChildrenCard({ data, onDrill }: { data: DashboardData; onDrill: (code: string) => void }) {
  const wide = Grid.useBreakpoint().md !== false;
  const [view, setView] = useState<'treemap' | 'bar'>('treemap');
  const [rate, setRate] = useState<RateKey>('orgCoverage');
  const { children } = data;
  const stations = children[0].level === 'station';
  // Nodes with no operating entity have no rate to compare; the table still lists them.
  const ranked = useMemo(
    () => children.filter((c) => c.operating > 0).sort((a, b) => (b[rate] ?? -1) - (a[rate] ?? -1)),
    [children, rate],
  );
  const byName = (name: string) => ranked.find((c) => c.name === name);
  const label = RATES[rate].label;
  // Shaded against the highest child, not against 100%: rates early in the work are small and would all look alike.
  const top = Math.max(0, ...ranked.map((c) => c[rate] ?? 0)) || 1;
  // The bar chart's axis fits the rates shown (small ones early in the work would be slivers under a fixed floor).
  const axisMax = percentAxisMax(Math.max(0, ...ranked.map((c) => (c[rate] ?? 0) * 100)));
  const option = useMemo(
    () =>
      view === 'treemap'
        ? {
            tooltip: {
              formatter: (p: { name: string; value: number }) =>
                `${escapeHtml(p.name)}<br/>存续主体 ${p.value.toLocaleString()} 户<br/>${escapeHtml(label)} ${pct(byName(p.name)?.[rate] ?? null)}`,
            },
            series: [
              {
                type: 'treemap',
                roam: false,
                nodeClick: false,
                breadcrumb: { show: false },
                width: '100%',
                height: '100%',
                top: 0,
                left: 0,
                label: {
                  show: true,
                  formatter: (p: { name: string }) => `${p.name}\n${pct(byName(p.name)?.[rate] ?? null)}`,
                },
                // Dark text on the pale tiles, white on the deep ones.
                data: ranked.map((c) => ({
                  name: c.name,
                  value: c.operating,
                  itemStyle: { color: shade(c[rate] === null ? null : c[rate] / top) },
                  label: { color: (c[rate] ?? 0) / top > 0.5 ? '#fff' : '#333' },
                })),
              },
            ],
          }
        : {
            grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
            tooltip: {
              trigger: 'axis',
              axisPointer: { type: 'shadow' },
              valueFormatter: (v: number) => `${v.toFixed(1)}%`,
            },
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
                name: label,
                barMaxWidth: 18,
                itemStyle: { color: '#c62828' },
                cursor: 'pointer',
                data: ranked.map((c) => (c[rate] === null ? 0 : +(c[rate] * 100).toFixed(1))),
                label: {
                  show: true,
                  position: 'right',
                  formatter: (p: { dataIndex: number }) => pct(ranked[p.dataIndex][rate]),
                },
              },
            ],
          },
    // eslint-disable-next-line react-hooks/exhaustive-deps -- byName reads ranked
    [view, ranked, rate, label, top, axisMax],
  );
  const columns = (
    [
      'operating',
      'withMembers',
      'anyOrg',
      'orgCoverage',
      'workCoverage',
      'membersFound',
      'orgsEstablished',
      'instructorsActive',
      'validPlaques',
    ] as IndicatorKey[]
  ).map((k) => ({
    title: INDICATORS[k].label,
    dataIndex: k,
    width: 100,
    align: 'right' as const,
    sorter: (a: Child, b: Child) => (a[k] ?? -1) - (b[k] ?? -1),
    render: (_: unknown, r: Child) => {
      const href = listOf(k, r.code);
      return href && r[k] ? <Link to={href}>{show(k, r)}</Link> : show(k, r);
    },
  }));
  const controls = (
    <Space wrap>
      <Select
        size="small"
        value={rate}
        onChange={setRate}
        style={{ width: 190 }}
        options={RATE_CHOICES.map((k) => ({ value: k, label: RATES[k].label }))}
      />
      <Segmented
        size="small"
        style={{ maxWidth: '100%', overflowX: 'auto' }}
        value={view}
        onChange={(v) => setView(v as 'treemap' | 'bar')}
        options={[
          { value: 'treemap', label: '矩形树图' },
          { value: 'bar', label: '排序条形图' },
          {
            value: 'map',
            label: (
              <Tooltip title="公开展示的地图须使用经审批的标准底图（审图号）。由部署方提供底图后启用；未提供时请使用矩形树图或条形图。">
                {wide ? '地图（需部署方提供审图号底图）' : '地图'}
              </Tooltip>
            ),
            disabled: true,
          },
        ]}
      />
    </Space>
  );
  return (
    // On a phone the controls go into the card's body: in its header they would push the page sideways.
    <Card
      size="small"
      title={stations ? '各基层所对比' : '下级辖区对比'}
      style={{ marginBottom: 12 }}
      extra={wide ? controls : undefined}
    >
      {!wide && <div style={{ marginBottom: 12 }}>{controls}</div>}
      <Row gutter={[16, 16]}>
        <Col xs={24} xxl={10}>
          <Typography.Text type="secondary">
            {view === 'treemap' ? `面积为存续主体数，颜色越深${label}越高（以下级中最高者为最深）` : `${label}排序`}
            （点击进入该辖区）
          </Typography.Text>
          {ranked.length > 0 ? (
            <div data-axis-max={view === 'bar' ? axisMax : undefined}>
              <EChart
                option={option}
                height={view === 'treemap' ? 320 : Math.max(160, ranked.length * 28 + 24)}
                onClick={(p) => {
                  const c = byName(p.name);
                  if (c) onDrill(c.code);
                }}
              />
            </div>
          ) : (
            <Empty description="下级辖区尚无存续主体" />
          )}
        </Col>
        <Col xs={24} xxl={14}>
          <FiguresTable<Child>
            rowKey="code"
            size="small"
            dataSource={children}
            pagination={false}
            scroll={{ x: 1000 }}
            columns={[
              {
                title: stations ? '基层所' : '辖区',
                dataIndex: 'name',
                fixed: 'left',
                width: 140,
                render: (n: string, r) => <a onClick={() => onDrill(r.code)}>{n}</a>,
              },
              ...columns,
            ]}
          />
          {data.unassigned.operating > 0 && (
            <Typography.Text type="warning">
              另有 {data.unassigned.operating} 户存续主体直接挂在{data.node.name}（未分配到下级）
            </Typography.Text>
          )}
        </Col>
      </Row>
    </Card>
  );
}

function TrendCard({ trend }: { trend: Month[] }) {
  const rates: RateKey[] = ['orgCoverage', 'workCoverage'];
  const counts: CountKey[] = ['membersFound', 'orgsEstablished'];
  const option = useMemo(
    () => ({
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: trend.map((m) => (m.live ? `${m.period}（实时）` : m.period)) },
      yAxis: [
        { type: 'value', axisLabel: { formatter: '{value}%' } },
        { type: 'value', splitLine: { show: false } },
      ],
      series: [
        ...rates.map((k) => ({
          type: 'line',
          name: RATES[k].label,
          data: trend.map((m) => (m[k] === null ? null : +(m[k] * 100).toFixed(1))),
          yAxisIndex: 0,
          smooth: true,
        })),
        ...counts.map((k) => ({
          type: 'line',
          name: COUNTS[k].label,
          data: trend.map((m) => m[k]),
          yAxisIndex: 1,
          lineStyle: { type: 'dashed' },
        })),
      ],
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the keys are constants
    [trend],
  );
  return (
    <Card
      size="small"
      title="按月趋势"
      extra={
        <Typography.Text type="secondary">
          {trend.length > 1 ? `${trend.length - 1} 个月的快照 + 本月实时` : '尚无以前月份的快照，仅本月实时'}
        </Typography.Text>
      }
    >
      <EChart option={option} height={280} />
    </Card>
  );
}

function FunnelCard({ funnel }: { funnel: DashboardData['funnel'] }) {
  const top = funnel[0]?.value || 1;
  const option = useMemo(
    () => ({
      tooltip: {
        trigger: 'item',
        formatter: (p: { name: string; value: number }) =>
          `${escapeHtml(p.name)}：${p.value.toLocaleString()} 户（${pct(p.value / top)}）`,
      },
      series: [
        {
          type: 'funnel',
          sort: 'none',
          left: '5%',
          width: '50%',
          top: 8,
          bottom: 8,
          minSize: '8%',
          gap: 2,
          label: {
            show: true,
            position: 'right',
            color: '#333',
            // Two lines: on a phone one line ran past the chart's edge (a city's 存续主体 1,234,567 户 lost its share).
            formatter: (p: { name: string; value: number }) =>
              `${p.name}\n${p.value.toLocaleString()} 户（${pct(p.value / top)}）`,
            lineHeight: 16,
          },
          data: funnel.map((s, i) => ({
            name: s.label,
            value: s.value,
            itemStyle: { color: ['#ef9a9a', '#e57373', '#c62828'][i] },
          })),
        },
      ],
    }),
    [funnel, top],
  );
  return (
    <Card
      size="small"
      title="党组织覆盖漏斗"
      extra={<Typography.Text type="secondary">存续主体 → 有党员 → 已被党组织覆盖</Typography.Text>}
    >
      <EChart option={option} height={280} />
    </Card>
  );
}
