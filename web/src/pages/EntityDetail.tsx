import { useCallback, useEffect, useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  DatePicker,
  Descriptions,
  Empty,
  Form,
  Input,
  Modal,
  Popconfirm,
  Row,
  Select,
  Space,
  Table,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { ArrowLeftOutlined, EyeOutlined, PlusOutlined } from '@ant-design/icons';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { call } from '../api';
import { EntityGuidance } from './EntityGuidance';
import { useAuth } from '../auth';
import { applyProblem } from '../components/problem';
import { LoadingBlock, useLoad } from '../components/Loading';
import { ENTITY_ROLE_LABEL, ENTITY_STATUS as STATUS } from '../components/labels';
import { orgHref, OrgStatusTag } from '../components/OrgTags';
import { ZONE_KIND_LABEL } from '../components/labels';
import { isFuture, shown, when } from '../components/format';
import {
  RECORD_SECTIONS,
  RECORD_SECTION_LABEL,
  addEntityPerson,
  getEntity,
  getEntityRecords,
  removeEntityPerson,
  revealEntityPerson,
  type EntityDetail as Detail,
  type EntityRecords,
} from '@server/features/entities/contract';
import { markMember } from '@server/features/members/contract';
import { zodRule } from '../components/zodRule';
import { ViolationForm } from '../components/ViolationForm';

const person = addEntityPerson.body.shape;

type Person = Detail['people'][number];
const FIELD: Record<string, string> = {
  name: '名称',
  status: '登记状态',
  address: '住所',
  station_code: '基层所',
  county_code: '县区',
  employees: '从业人数',
  kind: '主体类型',
  registered_on: '成立日期',
  industry_section: '行业门类',
  industry_division: '行业大类',
  size_class: '企业规模',
  uscc: '信用代码',
  reg_no: '注册号',
  person_id: '人员',
  person_name: '姓名',
  phone: '联系电话',
  role: '角色',
  zone_id: '区域',
};
const WHAT: Record<string, string> = {
  entity: '登记信息',
  entity_person: '人员',
  entity_zone: '所在区域',
  party_org_entity: '党组织覆盖',
};
const OP: Record<string, string> = { I: '新增', U: '变更', D: '移除' };
const ORG = ['未建立', '党支部', '党总支', '党委'];
const ZONE: Record<string, string> = ZONE_KIND_LABEL;
const yes = (v: boolean | null) => (v === null ? '—' : v ? '是' : '否');

export default function EntityDetail() {
  const { id } = useParams();
  const nav = useNavigate();
  const { can, narrowed } = useAuth();
  const { message, modal } = App.useApp();
  const [asOf, setAsOf] = useState<string | undefined>();
  const [adding, setAdding] = useState(false);
  // The shared pattern (useLoad): an error goes once the entity loads again (it stayed, and the page with it,
  // after one failed 历史 date); the answer carries the entity it was asked for, so another entity is not shown
  // while this one loads (the page stays on its record while another 历史 date loads).
  const entity = useLoad(
    useCallback(
      () => call(getEntity, { params: { id: Number(id) }, query: { asOf } }).then((d) => ({ id, d })),
      [id, asOf],
    ),
  );
  const { error, reload: load } = entity;
  const d = entity.data && entity.data.id === id ? entity.data.d : null;

  const reveal = async (p: Person) => {
    try {
      const r = await call(revealEntityPerson, { params: { id: Number(id), roleId: p.roleId } });
      modal.info({
        title: `${p.name} 的完整信息（本次查看已记入审计日志）`,
        content: (
          <div>
            身份证号：<Typography.Text copyable>{r.idNumber ?? '—'}</Typography.Text>
            <br />
            手机：<Typography.Text copyable>{r.phone ?? '—'}</Typography.Text>
          </div>
        ),
      });
    } catch (e) {
      message.error(applyProblem(null, e));
    }
  };

  if (error)
    return (
      <Alert
        type="error"
        showIcon
        title={error}
        action={
          narrowed ? (
            <Button onClick={() => nav('/')}>返回工作台</Button>
          ) : (
            <Button onClick={() => nav('/entities')}>返回台账</Button>
          )
        }
      />
    );
  if (!d) return <LoadingBlock />;
  const a = d.asOf as Record<string, string> | null;
  return (
    <div>
      <Space style={{ marginBottom: 12 }} wrap>
        <Button icon={<ArrowLeftOutlined />} onClick={() => nav(-1)}>
          返回
        </Button>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {d.name}
        </Typography.Title>
        <Tag color={STATUS[d.status][1]}>{d.statusLabel}</Tag>
        {d.isNew && <Tag color="magenta">新设（12 个月内）</Tag>}
      </Space>
      <Row gutter={16}>
        <Col xs={24} lg={14}>
          <Card
            title="登记信息"
            size="small"
            style={{ marginBottom: 16 }}
            extra={
              <Space>
                查看某日状态{' '}
                <DatePicker
                  size="small"
                  onChange={(v) => setAsOf(v ? v.format('YYYY-MM-DD') : undefined)}
                  disabledDate={isFuture}
                />
              </Space>
            }
          >
            {a && (
              <Alert
                type="info"
                showIcon
                style={{ marginBottom: 12 }}
                title={`${asOf} 时的登记状态：${a.name}，${STATUS[a.status]?.[0] ?? a.status}，住所 ${a.address ?? '—'}，从业人数 ${a.employees ?? '—'}`}
              />
            )}
            <Descriptions
              size="small"
              column={{ xs: 1, sm: 2 }}
              items={[
                { label: '统一社会信用代码', children: d.uscc ?? '—' },
                { label: '注册号', children: d.regNo ?? '—' },
                { label: '主体类型', children: d.kindLabel },
                { label: '成立日期', children: d.registeredOn ?? '—' },
                {
                  label: '县区 / 基层所',
                  children: `${d.countyName}${d.stationName ? ` / ${d.stationName}` : '（未分配基层所）'}`,
                },
                {
                  label: '行业',
                  children: d.industryLabel
                    ? `${d.industrySection} ${d.industryLabel}${d.industryDivision ? `（${d.industryDivision}）` : ''}`
                    : '—',
                },
                { label: '从业人数', children: d.employees ?? '—' },
                {
                  label: '所在区域',
                  children: d.zones.length
                    ? d.zones.map((z) => (
                        <Tag key={z.id}>
                          {ZONE[z.kind]} · {z.name}
                        </Tag>
                      ))
                    : '—',
                },
                { label: '住所', children: d.address ?? '—', span: 2 },
              ]}
            />
          </Card>
          <Card
            title="人员"
            size="small"
            style={{ marginBottom: 16 }}
            extra={
              can('data.write') && (
                <Button size="small" icon={<PlusOutlined />} onClick={() => setAdding(true)}>
                  登记人员
                </Button>
              )
            }
          >
            <Table<Person>
              rowKey="roleId"
              size="small"
              pagination={false}
              dataSource={d.people}
              locale={{ emptyText: '未登记人员' }}
              scroll={{ x: 560 }}
              columns={[
                { title: '角色', dataIndex: 'roleLabel', width: 130 },
                { title: '姓名', dataIndex: 'name', width: 90 },
                {
                  title: '身份证号',
                  dataIndex: 'idNumber',
                  render: (v) => v ?? <span style={{ color: '#bbb' }}>未提供</span>,
                },
                { title: '手机', dataIndex: 'phone', width: 120, render: (v) => v ?? '—' },
                ...(can('personal.reveal')
                  ? [
                      {
                        title: '',
                        key: 'r',
                        width: 70,
                        render: (_: unknown, p: Person) =>
                          p.idNumber || p.phone ? (
                            <a onClick={() => reveal(p)}>
                              <EyeOutlined /> 查看
                            </a>
                          ) : null,
                      },
                    ]
                  : []),
                ...(can('data.write')
                  ? [
                      {
                        title: '',
                        key: 'd',
                        width: 130,
                        render: (_: unknown, p: Person) => (
                          <Space size="small">
                            {!d.members.some((m) => m.name === p.name) && (
                              <Popconfirm
                                title={`记${p.name}为党员？`}
                                description="检查、走访中得知的，记为待核实党员。"
                                onConfirm={() =>
                                  call(markMember, { params: { id: Number(id), roleId: p.roleId }, body: {} }).then(
                                    () => {
                                      message.success('已记为党员（待核实）');
                                      void load();
                                    },
                                    (e) => message.error(applyProblem(null, e)),
                                  )
                                }
                              >
                                <a>记为党员</a>
                              </Popconfirm>
                            )}
                            <Popconfirm
                              title={`移除${p.name}的"${p.roleLabel}"角色？`}
                              onConfirm={() =>
                                call(removeEntityPerson, { params: { id: Number(id), roleId: p.roleId } }).then(
                                  load,
                                  (e) => message.error(applyProblem(null, e)),
                                )
                              }
                            >
                              <a>移除</a>
                            </Popconfirm>
                          </Space>
                        ),
                      },
                    ]
                  : []),
              ]}
            />
          </Card>
          <OrgsCard orgs={d.orgs} coverage={d.coverage} linked={!narrowed} />
          <EntityGuidance entity={{ id: Number(id), name: d.name }} />
          {/* The visits, appeals, cases … that name the entity are the county's records, not an instructor's. */}
          {!narrowed && <WorkCard entityId={Number(id)} />}
          <Card title="党员（比对找到）" size="small" style={{ marginBottom: 16 }}>
            {d.members.length === 0 ? (
              <Typography.Text type="secondary">尚未在此主体找到党员。</Typography.Text>
            ) : (
              <Space wrap>
                {d.members.map((m) => (
                  <Tag key={m.memberId} color={m.confidence === 'confirmed' ? 'red' : 'default'}>
                    {m.name} · {m.membership === 'probationary' ? '预备党员' : '党员'} ·{' '}
                    {m.confidence === 'confirmed' ? '已确认' : '待核实'}
                    {m.method === 'probabilistic'
                      ? `（比对得分 ${m.score}）`
                      : m.method === 'staff'
                        ? '（工作人员记录）'
                        : ''}
                  </Tag>
                ))}
              </Space>
            )}
          </Card>
          <Card title="年报（党建信息）" size="small" style={{ marginBottom: 16 }}>
            {d.annualReports.length === 0 ? (
              <Empty description="尚无年报" />
            ) : (
              <Table
                rowKey="year"
                size="small"
                pagination={false}
                dataSource={d.annualReports}
                scroll={{ x: 640 }}
                columns={[
                  { title: '年度', dataIndex: 'year', width: 70 },
                  { title: '从业人数', dataIndex: 'employees', width: 80 },
                  { title: '党员（含预备）', dataIndex: 'partyMembers', width: 110 },
                  {
                    title: '党组织',
                    dataIndex: 'partyOrgForm',
                    render: (v: number | null) => (v === null ? '—' : ORG[v]),
                  },
                  { title: '建立时间', dataIndex: 'partyOrgSetOn' },
                  { title: '法定代表人是党员', dataIndex: 'repIsMember', render: yes },
                  { title: '兼任书记', dataIndex: 'repIsSecretary', render: yes },
                ]}
              />
            )}
          </Card>
        </Col>
        <Col xs={24} lg={10}>
          <Card title="变更记录（动态管理）" size="small">
            {d.timeline.length === 0 ? (
              <Empty description="暂无变更" />
            ) : (
              <Timeline
                items={d.timeline.map((h) => ({
                  color: h.op === 'I' ? 'green' : h.op === 'D' ? 'red' : 'blue',
                  content: (
                    <div>
                      <Typography.Text strong>
                        {OP[h.op]}
                        {WHAT[h.objectType] ?? h.objectType}
                      </Typography.Text>
                      <Typography.Text type="secondary">
                        {' '}
                        · {when(h.at)} · {h.actor}
                      </Typography.Text>
                      {h.op === 'U' &&
                        h.changes.map((c) => (
                          <div key={c.field} style={{ fontSize: 12 }}>
                            {FIELD[c.field] ?? c.field}：{shown(c.from)} → {shown(c.to)}
                          </div>
                        ))}
                    </div>
                  ),
                }))}
              />
            )}
          </Card>
        </Col>
      </Row>
      {adding && (
        <AddPerson
          entityId={d.id}
          onClose={() => setAdding(false)}
          onSaved={() => {
            setAdding(false);
            void load();
          }}
        />
      )}
    </div>
  );
}

function AddPerson({ entityId, onClose, onSaved }: { entityId: number; onClose: () => void; onSaved: () => void }) {
  const [form] = Form.useForm();
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    const v = await form.validateFields();
    try {
      await call(addEntityPerson, {
        params: { id: entityId },
        body: { role: v.role, name: v.name, idNumber: v.idNumber || undefined, phone: v.phone || undefined },
      });
      onSaved();
    } catch (e) {
      setError(applyProblem(form, e));
    }
  };
  return (
    <Modal open title="登记人员" onCancel={onClose} onOk={submit} okText="保存" destroyOnHidden>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Form form={form} layout="vertical" initialValues={{ role: 'employee' }}>
        <Form.Item name="role" label="角色">
          <Select options={Object.entries(ENTITY_ROLE_LABEL).map(([value, label]) => ({ value, label }))} />
        </Form.Item>
        <Form.Item name="name" label="姓名" rules={[{ required: true, message: '请填写姓名' }, zodRule(person.name)]}>
          <Input maxLength={30} />
        </Form.Item>
        <Form.Item name="idNumber" label="身份证号（加密保存）" rules={[zodRule(person.idNumber)]}>
          <Input maxLength={18} />
        </Form.Item>
        <Form.Item name="phone" label="手机（加密保存）" rules={[zodRule(person.phone)]}>
          <Input maxLength={11} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** The organizations covering the entity, and where it stands in the two coverages. */
/** The organizations covering the entity; `linked` to the organizations' page for those who may open it. */
function OrgsCard({ orgs, coverage, linked }: Pick<Detail, 'orgs' | 'coverage'> & { linked: boolean }) {
  const flag = (on: boolean, yes: string, no: string) => <Tag color={on ? 'green' : 'default'}>{on ? yes : no}</Tag>;
  return (
    <Card title="党组织与覆盖" size="small" style={{ marginBottom: 16 }}>
      <Space wrap style={{ marginBottom: 8 }}>
        {coverage ? (
          <>
            {flag(coverage.withMembers, '有党员', '未发现党员')}
            {flag(coverage.anyOrg, coverage.ownOrg ? '组织覆盖（单独建）' : '组织覆盖', '未组织覆盖')}
            {flag(coverage.work, '工作覆盖', '未工作覆盖')}
          </>
        ) : (
          <Typography.Text type="secondary">非存续主体，不计入覆盖统计。</Typography.Text>
        )}
      </Space>
      {orgs.length === 0 ? (
        <div>
          <Typography.Text type="secondary">
            尚无党组织覆盖。可在"组建建议"中生成建议，或在"党组织"中登记。
          </Typography.Text>
        </div>
      ) : (
        orgs.map((o) => (
          <div key={o.id} style={{ marginTop: 4 }}>
            {linked ? <Link to={orgHref(o.id)}>{o.name}</Link> : o.name} <OrgStatusTag status={o.status} />
            <Typography.Text type="secondary">
              {o.body === 'league' ? '团组织 · ' : ''}
              {o.kindLabel} · {o.setupModeLabel}
            </Typography.Text>
          </div>
        ))
      )}
    </Card>
  );
}

/**
 * Everything that names the entity, in one place (GET /entities/:id/records): visits, appeals and
 * visit problems, assistance, tasks, plaques, honours, points, cases, organizations, instructors,
 * credit lists and exit reviews — each a link to its record. Staff can record a serious violation here.
 */
function WorkCard({ entityId }: { entityId: number }) {
  const { can } = useAuth();
  const { message } = App.useApp();
  const [w, setW] = useState<EntityRecords | null>(null);
  const [recording, setRecording] = useState(false);
  const load = useCallback(
    () => call(getEntityRecords, { params: { id: entityId } }).then(setW, () => setW(null)),
    [entityId],
  );
  useEffect(() => void load(), [load]);
  // Organizations are shown with coverage above.
  const parts = RECORD_SECTIONS.filter((k) => k !== 'orgs' && (w?.[k].length ?? 0) > 0);
  return (
    <Card
      title="相关记录（走访、诉求、帮扶、任务、三亮、荣誉、线索等）"
      size="small"
      style={{ marginBottom: 16 }}
      data-testid="entity-records"
      extra={
        can('data.write') && (
          <Button size="small" onClick={() => setRecording(true)}>
            记录严重违法
          </Button>
        )
      }
    >
      {w && parts.length === 0 && (
        <Typography.Text type="secondary">
          尚无走访、诉求、帮扶、任务、三亮、荣誉、联系点或核实线索记录。
        </Typography.Text>
      )}
      {parts.map((k) => (
        <div key={k} style={{ marginBottom: 8 }} data-section={k}>
          <Typography.Text strong>
            {RECORD_SECTION_LABEL[k]}（{w![k].length}）
          </Typography.Text>
          {w![k].map((x) => (
            <div key={`${k}-${x.id}`} style={{ marginLeft: 8, overflowWrap: 'anywhere' }}>
              {x.href ? <Link to={x.href}>{x.title}</Link> : x.title}{' '}
              <Tag color={x.attention ? 'orange' : undefined}>{x.state}</Tag>
              <Typography.Text type="secondary">{x.detail}</Typography.Text>
            </div>
          ))}
        </div>
      ))}
      {recording && (
        <ViolationForm
          entityId={entityId}
          onClose={() => setRecording(false)}
          onDone={(r) => {
            message.success(r.flaggedHonours ? `已记录，${r.flaggedHonours} 项荣誉标记为待复核` : '已记录');
            setRecording(false);
            void load();
          }}
        />
      )}
    </Card>
  );
}
