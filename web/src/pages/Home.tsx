import { useEffect, useState } from 'react';
import { Card, Col, Row, Statistic, Typography, Alert, Empty, Space, Tag, Tooltip } from 'antd';
import { INDICATORS, type IndicatorKey } from '@domain/indicators/registry';
import { call } from '../api';
import { getDashboard } from '@server/features/indicators/contract';
import type { ResponseOf } from '@server/http/contract';
import { unitSummary, type UnitSummary as Summary } from '@server/features/units/contract';
import { pct } from '../components/format';
import { TodoList } from './Todo';
import { MyInstructorWork, useMyInstructorWork } from './MyInstructorWork';
import { useAuth } from '../auth';
import { PageTitle, Link } from '../Layout';
import { applyProblem } from '../components/problem';
import { ListOrCards } from '../components/ListOrCards';

const DUTY_HINT: Record<string, string> = {
  sysadmin: '您是系统管理员：负责新建账号、分配业务角色、维护组织规则阈值。不接触业务数据。',
  secadmin: '您是安全管理员：负责安全策略、在线会话、账号解锁与三员职责分配。',
  auditor: '您是安全审计员：查阅并导出审计日志，校验审计链完整性。',
};

/** The 工作台's figures: registry indicators, the dashboard's own definitions. */
const HOME_FIGURES: IndicatorKey[] = [
  'operating',
  'newEntities',
  'withMembers',
  'orgsEstablished',
  'orgCoverage',
  'workCoverage',
];

/** The share of a node's stations with a guidance post. */
const guidanceRate = (r: Summary) => `${Math.round((r.guidancePosts / r.stations) * 100)}%`;

export default function Home() {
  const { me, can, narrowed } = useAuth();
  const [data, setData] = useState<{ self: Summary; children: Summary[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [figures, setFigures] = useState<ResponseOf<typeof getDashboard>['figures'] | null>(null);
  // An instructor's day starts at its own round: its entities and 登记走访 come first.
  const [mine, reloadMine] = useMyInstructorWork();
  const code = me!.jurisdiction.code;
  useEffect(() => {
    if (!can('units.read')) return;
    call(unitSummary, { params: { code } }).then(setData, (e) => setError(applyProblem(null, e)));
  }, [code, can]);
  // The county's figures are not a narrowed account's (an instructor's own are its round above).
  useEffect(() => {
    if (can('data.read') && !narrowed)
      call(getDashboard, { query: { months: 2 } }).then(
        (d) => setFigures(d.figures),
        () => setFigures(null),
      );
  }, [can, narrowed]);
  const rows = data?.children;
  const stationsBelow = rows?.[0]?.level === 'station';
  const duty = me!.roles.map((r) => DUTY_HINT[r.code]).filter(Boolean);
  return (
    <div>
      <PageTitle title={`${me!.jurisdiction.name} · 工作台`} />
      <Typography.Paragraph type="secondary">您好，{me!.displayName}。</Typography.Paragraph>
      {duty.map((d) => (
        <Alert key={d} type="info" showIcon title={d} style={{ marginBottom: 16 }} />
      ))}
      {error && <Alert type="error" showIcon title={error} />}
      <MyInstructorWork mine={mine} onLogged={reloadMine} />
      {can('data.read') && <TodoList />}
      {figures && (
        <Card
          title="本辖区主要指标"
          size="small"
          style={{ marginBottom: 16 }}
          extra={<Link to="/dashboard">数据看板</Link>}
        >
          <Row gutter={[16, 16]}>
            {HOME_FIGURES.map((k) => {
              const def = INDICATORS[k];
              const v = figures[k];
              return (
                <Col key={k} xs={12} sm={8} md={4}>
                  <Tooltip title={def.note}>
                    <Statistic
                      title={def.label}
                      value={def.kind === 'rate' ? pct(v) : (v ?? 0)}
                      suffix={def.kind === 'rate' ? undefined : def.unit}
                    />
                  </Tooltip>
                </Col>
              );
            })}
          </Row>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            口径与数据看板相同（同一指标登记表）。
          </Typography.Text>
        </Card>
      )}
      {rows && (
        <>
          {/* A grid without a gutter's negative margins: nothing sticks out on a phone. */}
          <div
            style={{
              display: 'grid',
              gridTemplateColumns: 'repeat(auto-fit, minmax(180px, 1fr))',
              gap: 16,
              marginBottom: 16,
            }}
          >
            {/* A station counted itself (基层市场监管所 1 个) and the committees it never holds: its own post alone. */}
            {me!.jurisdiction.level !== 'station' && (
              <>
                <Card>
                  <Statistic title="基层市场监管所" value={data.self.stations} suffix="个" />
                </Card>
                <Card>
                  <Statistic title={'"小个专"党委'} value={data.self.committees} suffix="个" />
                </Card>
              </>
            )}
            <Card>
              <Statistic title="党建工作指导站" value={data.self.guidancePosts} suffix="个" />
            </Card>
          </div>
          {me!.jurisdiction.level !== 'station' && (
            <Card
              title="下级辖区"
              extra={
                <Space>
                  <Link to="/stations">管理基层所</Link>
                  <Link to="/units">管理党委与指导站</Link>
                </Space>
              }
            >
              {rows.length === 0 ? (
                <Empty description="本辖区没有下级单位" />
              ) : (
                // On a phone each child is a card: the table scrolled sideways, 指导站 and its rate out of sight.
                <ListOrCards<Summary>
                  rowKey="code"
                  size="small"
                  dataSource={rows}
                  pagination={rows.length > 20 ? { pageSize: 20, total: rows.length } : false}
                  scroll={{ x: 480 }}
                  card={(r) =>
                    stationsBelow
                      ? {
                          title: r.name,
                          status: r.guidancePosts ? <Tag color="green">指导站已建</Tag> : <Tag>指导站未建</Tag>,
                        }
                      : {
                          title: r.name,
                          status: r.stations ? (
                            <Tag color="blue">指导站覆盖 {guidanceRate(r)}</Tag>
                          ) : (
                            <Tag>尚无基层所</Tag>
                          ),
                          lines: [
                            `基层所 ${r.stations} 个 · "小个专"党委 ${r.committees} 个 · 指导站 ${r.guidancePosts} 个`,
                          ],
                        }
                  }
                  columns={
                    stationsBelow
                      ? [
                          { title: '基层所', dataIndex: 'name' },
                          {
                            title: '党建工作指导站',
                            dataIndex: 'guidancePosts',
                            render: (n: number) => (n ? '已建' : '未建'),
                          },
                        ]
                      : [
                          { title: '辖区', dataIndex: 'name' },
                          {
                            title: '基层所',
                            dataIndex: 'stations',
                            align: 'right',
                            sorter: (a, b) => a.stations - b.stations,
                          },
                          {
                            title: '"小个专"党委',
                            dataIndex: 'committees',
                            align: 'right',
                            sorter: (a, b) => a.committees - b.committees,
                          },
                          {
                            title: '指导站',
                            dataIndex: 'guidancePosts',
                            align: 'right',
                            sorter: (a, b) => a.guidancePosts - b.guidancePosts,
                          },
                          {
                            title: '指导站覆盖所',
                            key: 'rate',
                            align: 'right',
                            render: (_, r) => (r.stations ? guidanceRate(r) : '—'),
                          },
                        ]
                  }
                />
              )}
            </Card>
          )}
        </>
      )}
    </div>
  );
}
