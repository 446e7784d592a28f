import { useCallback } from 'react';
import { Card, Col, Descriptions, Empty, Row, Statistic, Table, Tag } from 'antd';
import { Link, useParams } from 'react-router-dom';
import { call } from '../api';
import { getGuidancePost, type GuidancePost as Post } from '@server/features/guidance-posts/contract';
import { PageTitle } from '../Layout';
import { Loaded, useLoad } from '../components/Loading';
import { pct } from '../components/format';

/** One station's 党建工作指导站: who works there, which instructors are based there, what they serve. */
export default function GuidancePost() {
  const { code } = useParams();
  // The answer carries the station it was asked for: another station's post is not shown while this one loads.
  const { data, error } = useLoad(
    useCallback(() => call(getGuidancePost, { params: { code: code! } }).then((d) => ({ code, d })), [code]),
  );
  return (
    <Loaded data={data && data.code === code ? data.d : null} error={error}>
      {(d) => <PostPage d={d} />}
    </Loaded>
  );
}

function PostPage({ d }: { d: Post }) {
  const c = d.coverage;
  const here = (q: string) => `/entities?under=${d.station.code}&coverage=${q}`;
  return (
    <div>
      <PageTitle title={`${d.station.name} · 党建工作指导站`} />
      <Row gutter={[12, 12]}>
        <Col xs={12} md={6}>
          <Card size="small">
            <Link to={here('operating')}>
              <Statistic title="存续市场主体" value={c.operating} />
            </Link>
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Link to={here('with_members')}>
              <Statistic title="有党员的主体" value={c.withMembers} />
            </Link>
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Link to={here('any_org')}>
              <Statistic
                title="组织覆盖"
                value={c.anyOrg}
                suffix={<span style={{ fontSize: 14 }}>{pct(c.orgCoverage)}</span>}
              />
            </Link>
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Link to={here('work')}>
              <Statistic
                title="工作覆盖（其中指导员覆盖）"
                value={c.work}
                suffix={
                  <span style={{ fontSize: 14 }}>
                    {pct(c.workCoverage)}（{c.reachedByInstructors}）
                  </span>
                }
              />
            </Link>
          </Card>
        </Col>
      </Row>
      <Card size="small" title="指导站" style={{ marginTop: 12 }}>
        {d.post ? (
          <Descriptions
            size="small"
            column={{ xs: 1, sm: 2, md: 4 }}
            items={[
              { label: '名称', children: d.post.name },
              { label: '负责人', children: d.post.leaderName ?? '—' },
              { label: '工作人员', children: `${d.post.staffCount} 名` },
              { label: '成立日期', children: d.post.foundedOn ?? '—' },
            ]}
          />
        ) : (
          <Empty
            description={
              <span>
                本所尚未建立党建工作指导站，可在 <Link to="/units">党委与指导站</Link> 中登记。
              </span>
            }
          />
        )}
      </Card>
      <Row gutter={[12, 12]} style={{ marginTop: 12 }}>
        <Col xs={24} lg={12}>
          <Card
            size="small"
            title={`驻所指导员（${d.instructors.length}）`}
            extra={<Link to={`/instructors?under=${d.station.code}`}>名册</Link>}
          >
            <Table
              rowKey="id"
              size="small"
              pagination={false}
              dataSource={d.instructors}
              locale={{ emptyText: '本所还没有指导员' }}
              columns={[
                {
                  title: '姓名',
                  dataIndex: 'name',
                  render: (n: string, i) => <Link to={`/instructors?open=${i.id}`}>{n}</Link>,
                },
                { title: '来源', dataIndex: 'sourceLabel' },
                { title: '在指派', dataIndex: 'assignments', align: 'right' },
                {
                  title: '状态',
                  dataIndex: 'statusLabel',
                  render: (s: string, i) => <Tag color={i.status === 'active' ? 'green' : undefined}>{s}</Tag>,
                },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={`本所账号（${d.staff.length}）`}>
            <Table
              rowKey="id"
              size="small"
              pagination={false}
              dataSource={d.staff}
              locale={{ emptyText: '本所还没有账号' }}
              columns={[
                { title: '姓名', dataIndex: 'name' },
                { title: '角色', dataIndex: 'roles', render: (r: string[]) => r.map((x) => <Tag key={x}>{x}</Tag>) },
                { title: '', dataIndex: 'active', render: (a: boolean) => (a ? null : <Tag>已停用</Tag>) },
              ]}
            />
          </Card>
        </Col>
      </Row>
      <Card size="small" title={`服务的市场、园区、楼宇、商圈（${d.zones.length}）`} style={{ marginTop: 12 }}>
        <Table
          rowKey="id"
          size="small"
          pagination={false}
          dataSource={d.zones}
          locale={{ emptyText: '本所的市场主体尚未归入专业市场、园区、楼宇或商圈' }}
          columns={[
            {
              title: '名称',
              dataIndex: 'name',
              render: (n: string, z) => <Link to={`/entities?under=${d.station.code}&zoneId=${z.id}`}>{n}</Link>,
            },
            { title: '类型', dataIndex: 'kindLabel' },
            { title: '本所存续主体', dataIndex: 'entities', align: 'right' },
            {
              title: '指导员',
              dataIndex: 'instructor',
              render: (v: boolean) => (v ? <Tag color="green">已指派</Tag> : <Tag>未指派</Tag>),
            },
          ]}
        />
      </Card>
    </div>
  );
}
