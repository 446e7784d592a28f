import { useEffect, useState } from 'react';
import { Card, Col, Row, Statistic, Table, Typography, Alert, Empty, Space } from 'antd';
import { get } from '../api';
import { useAuth } from '../auth';
import { PageTitle, Link } from '../Layout';
import { applyProblem } from '../components/problem';

type Summary = { code: string; name: string; level: string; committees: number; guidancePosts: number; stations: number };

const DUTY_HINT: Record<string, string> = {
  sysadmin: '您是系统管理员：负责新建账号、分配业务角色、维护组织规则阈值。不接触业务数据。',
  secadmin: '您是安全管理员：负责安全策略、在线会话、账号解锁与三员职责分配。',
  auditor: '您是安全审计员：查阅并导出审计日志，校验审计链完整性。',
};

export default function Home() {
  const { me, can } = useAuth();
  const [data, setData] = useState<{ self: Summary; children: Summary[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [ledger, setLedger] = useState<{ total: number; active: number; isNew: number; partyDeclared: number; orgDeclared: number; byKind: Record<string, number> } | null>(null);
  const code = me!.jurisdiction.code;
  useEffect(() => {
    if (!can('units.read')) return;
    get<{ self: Summary; children: Summary[] }>(`/units/summary/${code}`).then(setData, (e) => setError(applyProblem(null, e)));
  }, [code, can]);
  useEffect(() => {
    if (can('data.read')) get<typeof ledger>('/entities/summary').then(setLedger, () => setLedger(null));
  }, [can]);
  const rows = data?.children;
  const stationsBelow = rows?.[0]?.level === 'station';
  const duty = me!.roles.map((r) => DUTY_HINT[r.code]).filter(Boolean);
  return (
    <div>
      <PageTitle title={`${me!.jurisdiction.name} · 工作台`} />
      <Typography.Paragraph type="secondary">您好，{me!.displayName}。</Typography.Paragraph>
      {duty.map((d) => <Alert key={d} type="info" showIcon title={d} style={{ marginBottom: 16 }} />)}
      {error && <Alert type="error" showIcon title={error} />}
      {ledger && (
        <Card title="市场主体底数" style={{ marginBottom: 16 }} extra={<Link to="/entities">查看台账</Link>}>
          <Row gutter={[16, 16]}>
            <Col xs={12} md={4}><Statistic title="市场主体" value={ledger.total} /></Col>
            <Col xs={12} md={4}><Statistic title="其中个体工商户" value={ledger.byKind.individual ?? 0} /></Col>
            <Col xs={12} md={4}><Statistic title="存续" value={ledger.active} /></Col>
            <Col xs={12} md={4}><Statistic title="12 个月内新设" value={ledger.isNew} styles={{ content: { color: '#c2185b' } }} /></Col>
            <Col xs={12} md={4}><Statistic title="年报申报有党员" value={ledger.partyDeclared} /></Col>
            <Col xs={12} md={4}><Statistic title="年报申报已建党组织" value={ledger.orgDeclared} /></Col>
          </Row>
        </Card>
      )}
      {rows && (
        <>
          <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
            <Col xs={24} sm={8}><Card><Statistic title="基层市场监管所" value={data!.self.stations} suffix="个" /></Card></Col>
            <Col xs={24} sm={8}><Card><Statistic title={'"小个专"党委'} value={data!.self.committees} suffix="个" /></Card></Col>
            <Col xs={24} sm={8}><Card><Statistic title="党建工作指导站" value={data!.self.guidancePosts} suffix="个" /></Card></Col>
          </Row>
          {me!.jurisdiction.level !== 'station' && <Card title="下级辖区" extra={<Space><Link to="/stations">管理基层所</Link><Link to="/units">管理党委与指导站</Link></Space>}>
            {rows.length === 0 ? (
              <Empty description="本辖区没有下级单位" />
            ) : (
              <Table
                rowKey="code"
                size="small"
                dataSource={rows}
                pagination={rows.length > 20 ? { pageSize: 20 } : false}
                scroll={{ x: 480 }}
                columns={stationsBelow ? [
                  { title: '基层所', dataIndex: 'name' },
                  { title: '党建工作指导站', dataIndex: 'guidancePosts', render: (n: number) => (n ? '已建' : '未建') },
                ] : [
                  { title: '辖区', dataIndex: 'name' },
                  { title: '基层所', dataIndex: 'stations', align: 'right', sorter: (a, b) => a.stations - b.stations },
                  { title: '"小个专"党委', dataIndex: 'committees', align: 'right', sorter: (a, b) => a.committees - b.committees },
                  { title: '指导站', dataIndex: 'guidancePosts', align: 'right', sorter: (a, b) => a.guidancePosts - b.guidancePosts },
                  { title: '指导站覆盖所', key: 'rate', align: 'right', render: (_, r) => (r.stations ? `${Math.round((r.guidancePosts / r.stations) * 100)}%` : '—') },
                ]}
              />
            )}
          </Card>}
        </>
      )}
    </div>
  );
}
