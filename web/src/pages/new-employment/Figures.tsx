import { useEffect, useMemo, useState } from 'react';
import { Alert, Card, Col, Row, Space, Statistic, Table } from 'antd';
import { call } from '../../api';
import { newEmploymentFigures, type NewEmploymentFigures } from '@server/features/platforms/contract';
import { useAuth } from '../../auth';
import { applyProblem } from '../../components/problem';
import { JurisdictionPicker } from '../../components/JurisdictionPicker';
import { EChart } from '../../components/EChart';
import { AreaBars } from '../../components/AreaBars';
import { pct } from '../../components/format';
import { ChildrenTable } from '../../components/ChildrenTable';

/** Figures of the area; `version` reloads them after a change made on another tab. */
export function FiguresTab({ version }: { version: number }) {
  const { me } = useAuth();
  const [under, setUnder] = useState<string | undefined>();
  const [data, setData] = useState<NewEmploymentFigures | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(
    () => void call(newEmploymentFigures, { query: { under } }).then(setData, (e) => setError(applyProblem(null, e))),
    [under, version],
  );
  const series = useMemo(
    () => ({
      grid: { left: 8, right: 24, top: 24, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: data?.riderSeries.map((p) => p.date.slice(0, 7)) ?? [] },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ name: '骑手数', type: 'line', smooth: true, data: data?.riderSeries.map((p) => p.riders) ?? [] }],
    }),
    [data],
  );
  const rate = (r: number | null) => (r === null ? 0 : Math.round(r * 1000) / 10);
  if (error) return <Alert type="error" showIcon title={error} />;
  if (!data) return null;
  const t = data.total;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Card
        size="small"
        // Wrapped, not cut: on a phone the picker beside it left 玄武区：新业态… of the title.
        title={<span style={{ whiteSpace: 'normal' }}>{`${data.node.name}：新业态新就业群体概况`}</span>}
        extra={
          <div style={{ width: 220 }}>
            <JurisdictionPicker
              root={me!.jurisdiction.code}
              value={under}
              onChange={setUnder}
              placeholder="选择辖区（默认本辖区）"
            />
          </div>
        }
      >
        <Row gutter={[16, 16]}>
          {(
            [
              ['平台企业', t.platforms],
              ['合作商', t.partners],
              ['运营配送站点', t.stations],
              ['骑手（最新统计）', t.riders],
              ['党员骑手', t.memberRiders],
              ['入党积极分子', t.activists],
              ['行业党委', t.committees],
              ['流动党员党支部', t.mobileBranches],
              ['有效活动证', t.cardsValid],
              ['30 天内到期', t.cardsExpiring],
            ] as const
          ).map(([title, v]) => (
            <Col key={title} xs={12} sm={8} md={6} lg={4}>
              <Statistic title={title} value={v} />
            </Col>
          ))}
          <Col xs={12} sm={8} md={6} lg={4}>
            <Statistic title="站点组织覆盖率" value={pct(t.stationCoverage.orgCoverage)} />
          </Col>
          <Col xs={12} sm={8} md={6} lg={4}>
            <Statistic title="站点工作覆盖率" value={pct(t.stationCoverage.workCoverage)} />
          </Col>
        </Row>
      </Card>
      <Card size="small" title="近 12 个月骑手数（各站点最近一次统计）">
        {data.riderSeries.some((p) => p.riders > 0) ? (
          <EChart option={series} height={220} />
        ) : (
          <Alert type="info" title="还没有骑手数统计。在配送站点中登记骑手数后，这里显示变化。" />
        )}
      </Card>
      <Card size="small" title="按辖区：平台与站点的两个覆盖（组织覆盖 = 有党组织；工作覆盖 = 有党组织或有党建工作）">
        {data.children.some((c) => c.stationCoverage.operating > 0) && (
          <AreaBars
            names={data.children.map((c) => c.name)}
            percent
            onClick={(i) => setUnder(data.children[i].code)}
            series={[
              {
                name: '站点组织覆盖率',
                color: '#c0392b',
                values: data.children.map((c) => rate(c.stationCoverage.orgCoverage)),
              },
              {
                name: '站点工作覆盖率',
                color: '#e67e22',
                values: data.children.map((c) => rate(c.stationCoverage.workCoverage)),
              },
            ]}
          />
        )}
        <ChildrenTable
          rows={data.children}
          onDrill={setUnder}
          nameWidth={120}
          scrollX={900}
          columns={[
            { title: '平台', dataIndex: 'platforms', align: 'right' },
            { title: '运营站点', dataIndex: 'stations', align: 'right' },
            { title: '骑手', dataIndex: 'riders', align: 'right' },
            { title: '党员骑手', dataIndex: 'memberRiders', align: 'right' },
            { title: '流动党员党支部', dataIndex: 'mobileBranches', align: 'right' },
            {
              title: '平台组织/工作覆盖',
              key: 'p',
              render: (_, c) => `${pct(c.platformCoverage.orgCoverage)} / ${pct(c.platformCoverage.workCoverage)}`,
            },
            {
              title: '站点组织/工作覆盖',
              key: 's',
              render: (_, c) => `${pct(c.stationCoverage.orgCoverage)} / ${pct(c.stationCoverage.workCoverage)}`,
            },
          ]}
        />
      </Card>
      <Card size="small" title="按平台：本辖区运营站点的覆盖">
        <Table
          rowKey="id"
          size="small"
          pagination={false}
          dataSource={data.byPlatform}
          locale={{ emptyText: '本辖区还没有运营中的配送站点。' }}
          columns={[
            { title: '平台', dataIndex: 'name' },
            { title: '运营站点', dataIndex: 'operating', align: 'right' },
            { title: '有党组织', dataIndex: 'anyOrg', align: 'right' },
            { title: '已工作覆盖', dataIndex: 'work', align: 'right' },
            { title: '组织覆盖率', dataIndex: 'orgCoverage', align: 'right', render: pct },
            { title: '工作覆盖率', dataIndex: 'workCoverage', align: 'right', render: pct },
          ]}
        />
      </Card>
    </Space>
  );
}
