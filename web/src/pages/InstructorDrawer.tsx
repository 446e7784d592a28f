import { useState } from 'react';
import {
  App,
  Button,
  DatePicker,
  Descriptions,
  Drawer,
  Form,
  Input,
  Popconfirm,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { EyeOutlined, PlusOutlined } from '@ant-design/icons';
import { Link } from 'react-router-dom';
import dayjs from 'dayjs';
import { call } from '../api';
import { useAuth } from '../auth';
import { applyProblem } from '../components/problem';
import { drawerSize } from '../components/drawer';
import { FormModal } from '../components/FormModal';
import { SearchSelect } from '../components/SearchSelect';
import { ChangeHistory } from '../components/ChangeHistory';
import { Section } from '../components/Section';
import { isFuture, shown, ymd, today } from '../components/format';
import { TARGET_LABEL, ZONE_KIND_LABEL } from '../components/labels';
import { GuidanceForm } from './GuidanceForm';
import type { EntityRow } from './Entities';
import type { OrgRow } from './OrgDrawer';
import { useRecord } from '../components/hooks';
import {
  assignInstructor,
  endAssignment,
  getInstructor,
  revealInstructor,
  updateInstructor,
  type InstructorDetail,
} from '@server/features/instructors/contract';
import type { ZoneRow } from '@server/features/zones/contract';
import { Loaded } from '../components/Loading';

export type { InstructorRow } from '@server/features/instructors/contract';
type Target = keyof typeof TARGET_LABEL;
type Detail = InstructorDetail;
type Assignment = Detail['assignmentList'][number];
type Zone = ZoneRow;
type Acting = 'assign' | 'guidance' | { end: Assignment };

const LINKS: Record<Target, (id: number) => string> = {
  entity: (id) => `/entities/${id}`,
  org: (id) => `/orgs?open=${id}`,
  zone: () => '/zones',
  platform: (id) => `/new-employment?platform=${id}`,
  delivery_station: (id) => `/new-employment?station=${id}`,
};
const link = (a: Assignment) => LINKS[a.target](a.targetId);

export function InstructorDrawer({
  id,
  onClose,
  onChanged,
}: {
  id: number;
  onClose: () => void;
  onChanged: () => void;
}) {
  const { can } = useAuth();
  const { message } = App.useApp();
  const { d, error, acting, setActing, done } = useRecord<typeof getInstructor, Acting>(
    getInstructor,
    { id },
    onChanged,
  );
  const [revealed, setRevealed] = useState<{ idNumber: string | null; phone: string | null } | null>(null);
  const setStatus = (status: 'active' | 'inactive') =>
    call(updateInstructor, { params: { id }, body: { status } }).then(
      (r) => done(status === 'inactive' ? `已停用，结束指派 ${r.endedAssignments} 项` : '已恢复在岗'),
      (e) => message.error(applyProblem(null, e)),
    );
  const reveal = () =>
    call(revealInstructor, { params: { id } }).then(setRevealed, (e) => message.error(applyProblem(null, e)));
  const write = can('data.write');
  const inForce = d?.assignmentList.filter((a) => !a.endOn) ?? [];
  const ended = d?.assignmentList.filter((a) => a.endOn) ?? [];

  return (
    <Drawer
      open
      size={drawerSize()}
      onClose={onClose}
      title={
        d ? (
          <Space size={4}>
            {d.name}
            {d.status === 'inactive' && <Tag>已停用</Tag>}
          </Space>
        ) : (
          '指导员'
        )
      }
      footer={
        d &&
        write && (
          <Space wrap>
            {d.status === 'active' ? (
              <Popconfirm
                title={`停用 ${d.name}？`}
                description={`其在指派的 ${d.assignments} 项一并结束，工作覆盖随之变化。`}
                onConfirm={() => setStatus('inactive')}
              >
                <Button danger>停用</Button>
              </Popconfirm>
            ) : (
              <Button onClick={() => setStatus('active')}>恢复在岗</Button>
            )}
          </Space>
        )
      }
    >
      <Loaded data={d} error={error}>
        {(d) => (
          <>
            <Descriptions
              size="small"
              bordered
              column={{ xs: 1, sm: 2 }}
              styles={{ label: { whiteSpace: 'nowrap' } }}
              items={[
                { label: '来源', children: d.sourceLabel },
                {
                  label: '县区 / 基层所',
                  children: d.stationCode ? (
                    <Link to={`/guidance-posts/${d.stationCode}`}>
                      {d.countyName} / {d.stationName}
                    </Link>
                  ) : (
                    d.countyName
                  ),
                },
                { label: '身份证号', children: revealed ? (revealed.idNumber ?? '—') : (d.idNumber ?? '—') },
                {
                  label: '手机号',
                  children: (
                    <Space size={4} wrap>
                      <span style={{ whiteSpace: 'nowrap' }}>
                        {revealed ? (revealed.phone ?? '—') : (d.phone ?? '—')}
                      </span>
                      {!revealed && (d.idNumber || d.phone) && can('personal.reveal') && (
                        <Button size="small" type="link" icon={<EyeOutlined />} onClick={reveal}>
                          查看完整（留痕）
                        </Button>
                      )}
                    </Space>
                  ),
                },
                { label: '工作单位', children: d.workplace ?? '—' },
                { label: '覆盖存续主体', children: `${d.reached} 户（在指派 ${d.assignments} 项）` },
                ...(d.note ? [{ label: '备注', children: d.note, span: 'filled' as const }] : []),
              ]}
            />

            <Section
              title={`在指派（${inForce.length}）`}
              extra={
                write &&
                d.status === 'active' && (
                  <Button size="small" icon={<PlusOutlined />} onClick={() => setActing('assign')}>
                    指派
                  </Button>
                )
              }
            >
              <Table
                rowKey="id"
                size="small"
                pagination={false}
                dataSource={inForce}
                locale={{ emptyText: '没有在指派的对象。指派后，所联系的市场主体即计入工作覆盖。' }}
                columns={[
                  // The date under the name, not a column of its own: on a phone the name kept a character a line.
                  {
                    title: '对象 / 指派日期',
                    dataIndex: 'targetName',
                    render: (n: string, a) => (
                      <>
                        <div>
                          <Tag>{a.targetLabel}</Tag>
                          {a.target === 'zone' ? n : <Link to={link(a)}>{n}</Link>}
                        </div>
                        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                          自 {a.startOn}
                        </Typography.Text>
                      </>
                    ),
                  },
                  { title: '覆盖主体', dataIndex: 'reached', width: 72, align: 'right' },
                  ...(write
                    ? [
                        {
                          title: '',
                          key: 'op',
                          width: 70,
                          render: (_: unknown, a: Assignment) => <a onClick={() => setActing({ end: a })}>结束</a>,
                        },
                      ]
                    : []),
                ]}
              />
            </Section>

            {ended.length > 0 && (
              <Section title={`已结束的指派（${ended.length}）`}>
                <Table
                  rowKey="id"
                  size="small"
                  pagination={false}
                  dataSource={ended}
                  columns={[
                    {
                      title: '对象 / 期间',
                      dataIndex: 'targetName',
                      render: (n: string, a) => (
                        <>
                          <div>
                            <Tag>{a.targetLabel}</Tag>
                            {n}
                          </div>
                          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                            {a.startOn} 至 {a.endOn}
                          </Typography.Text>
                        </>
                      ),
                    },
                    { title: '原因', dataIndex: 'endReason', width: '40%' },
                  ]}
                />
              </Section>
            )}

            <Section
              title="指导记录"
              extra={
                can('guidance.write') && (
                  <Button size="small" icon={<PlusOutlined />} onClick={() => setActing('guidance')}>
                    登记指导
                  </Button>
                )
              }
            >
              <Table
                rowKey="id"
                size="small"
                pagination={false}
                dataSource={d.guidance}
                locale={{ emptyText: '暂无指导记录' }}
                columns={[
                  // Date and object above the content in one column: three narrow columns left the content a character or two a line on a phone.
                  {
                    title: '日期 · 对象 / 内容',
                    key: 'what',
                    render: (_, g) => (
                      <>
                        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                          {g.onDate} · {g.entityName ?? g.orgName}
                        </Typography.Text>
                        <div>{g.content}</div>
                      </>
                    ),
                  },
                  {
                    title: '后续',
                    key: 'follow',
                    width: 76,
                    render: (_, g) =>
                      !g.followUp ? (
                        '—'
                      ) : g.followUpDone ? (
                        <Tag color="green">已办结</Tag>
                      ) : (
                        <Tag color="orange">未办结</Tag>
                      ),
                  },
                ]}
              />
            </Section>

            <Section title="变更记录">
              <ChangeHistory lines={d.history} describe={(h) => describe(h)} />
            </Section>
          </>
        )}
      </Loaded>
      {d && acting === 'assign' && <AssignForm instructor={d} onClose={() => setActing(null)} onDone={done} />}
      {d && acting === 'guidance' && (
        <GuidanceForm instructor={d} onClose={() => setActing(null)} onSaved={() => done('已登记')} />
      )}
      {d && acting && typeof acting === 'object' && (
        <EndForm instructor={d} assignment={acting.end} onClose={() => setActing(null)} onDone={done} />
      )}
    </Drawer>
  );
}

type FormProps = { instructor: Detail; onClose: () => void; onDone: (text: string) => void };

function AssignForm({ instructor, onClose, onDone }: FormProps) {
  return (
    <FormModal<{ target: Target; targetId: number; startOn: dayjs.Dayjs }>
      title={`指派：${instructor.name}`}
      okText="指派"
      initialValues={{ target: 'entity', startOn: today() }}
      onClose={onClose}
      onSubmit={async (v) => {
        const r = await call(assignInstructor, {
          params: { id: instructor.id },
          body: { target: v.target, targetId: v.targetId, startOn: ymd(v.startOn) },
        });
        onDone(
          `已指派，覆盖 ${r.reached} 户市场主体${r.tasksDone ? `，完成组建建议中的指派任务 ${r.tasksDone} 项` : ''}`,
        );
      }}
    >
      <Typography.Paragraph type="secondary">
        指派到楼宇、市场等区域时，区域内的市场主体都计入工作覆盖；指派到党组织时，其覆盖的市场主体计入（筹建中的组织也算）。
      </Typography.Paragraph>
      <Form.Item name="target" label="指派对象类型">
        <Select options={Object.entries(TARGET_LABEL).map(([value, label]) => ({ value, label }))} />
      </Form.Item>
      <Form.Item noStyle dependencies={['target']}>
        {({ getFieldValue }) => {
          const target = getFieldValue('target') as keyof typeof TARGET_LABEL;
          return (
            <Form.Item
              key={target}
              name="targetId"
              label={TARGET_LABEL[target]}
              rules={[{ required: true, message: '请选择指派对象' }]}
            >
              {target === 'entity' ? (
                <SearchSelect<EntityRow>
                  path="/entities"
                  query={{ status: 'active' }}
                  placeholder="输入名称查找"
                  toOption={(e) => ({ value: e.id, label: `${e.name}${e.stationName ? ` · ${e.stationName}` : ''}` })}
                />
              ) : target === 'zone' ? (
                <SearchSelect<Zone>
                  path="/zones"
                  placeholder="输入名称查找"
                  toOption={(z) => ({
                    value: z.id,
                    label: `${z.name} · ${ZONE_KIND_LABEL[z.kind as 'market'] ?? z.kind}`,
                  })}
                />
              ) : target === 'platform' ? (
                <SearchSelect<{ id: number; name: string; businessLabel: string }>
                  path="/new-employment/platforms"
                  placeholder="输入平台名称查找"
                  toOption={(p) => ({ value: p.id, label: `${p.name} · ${p.businessLabel}` })}
                />
              ) : target === 'delivery_station' ? (
                <SearchSelect<{ id: number; name: string; platformName: string }>
                  path="/new-employment/stations"
                  query={{ status: 'open' }}
                  placeholder="输入站点名称查找"
                  toOption={(s) => ({ value: s.id, label: `${s.name} · ${s.platformName}` })}
                />
              ) : (
                <SearchSelect<OrgRow>
                  path="/orgs"
                  query={{ body: 'party' }}
                  placeholder="输入名称查找"
                  toOption={(o) => ({ value: o.id, label: `${o.name} · ${o.statusLabel}` })}
                />
              )}
            </Form.Item>
          );
        }}
      </Form.Item>
      <Form.Item name="startOn" label="指派日期" rules={[{ required: true, message: '请选择指派日期' }]}>
        <DatePicker disabledDate={isFuture} />
      </Form.Item>
    </FormModal>
  );
}

function EndForm({ instructor, assignment, onClose, onDone }: FormProps & { assignment: Assignment }) {
  return (
    <FormModal<{ endOn: dayjs.Dayjs; reason: string }>
      title={`结束指派：${assignment.targetName}`}
      okText="结束指派"
      danger
      initialValues={{ endOn: today() }}
      onClose={onClose}
      onSubmit={async (v) => {
        await call(endAssignment, {
          params: { id: instructor.id, key: assignment.id },
          body: { endOn: ymd(v.endOn), reason: v.reason },
        });
        onDone('已结束指派');
      }}
    >
      <Typography.Paragraph type="secondary">
        结束后，{assignment.reached} 户市场主体不再因此计入工作覆盖（有其他党组织或指导员的除外）。
      </Typography.Paragraph>
      <Form.Item name="endOn" label="结束日期" rules={[{ required: true, message: '请选择结束日期' }]}>
        <DatePicker disabledDate={(x) => isFuture(x) || x.isBefore(dayjs(assignment.startOn))} />
      </Form.Item>
      <Form.Item name="reason" label="原因" rules={[{ required: true, min: 2, message: '请填写结束原因' }]}>
        <Input maxLength={200} />
      </Form.Item>
    </FormModal>
  );
}

function describe(h: Detail['history'][number]): string {
  const row = h.after ?? h.before ?? {};
  if (h.object_type === 'instructor') {
    if (h.op === 'I') return '登记为指导员';
    if (h.before?.status !== h.after?.status) return h.after?.status === 'inactive' ? '停用' : '恢复在岗';
    return '修改指导员信息';
  }
  const target = TARGET_LABEL[String(row.target) as 'entity'] ?? '对象';
  if (h.op === 'I') return `指派到${target}（自 ${shown(row.start_on)}）`;
  if (h.op === 'D') return `删除${target}指派`;
  return row.end_on ? `结束${target}指派（${shown(row.end_on)}，${shown(row.end_reason, '')}）` : `修改${target}指派`;
}
