import {
  Alert,
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
  type Breakpoint,
} from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { Link } from 'react-router-dom';
import dayjs from 'dayjs';
import type { BodyOf, ItemOf } from '@server/http/contract';
import {
  addOrgEntity,
  addOrgMember,
  addOrgOfficer,
  getOrg,
  removeOrgEntity,
  removeOrgMember,
  removeOrgOfficer,
  updateOrg,
  type OrgDetail,
} from '@server/features/orgs/contract';
import { listMembers } from '@server/features/members/contract';
import { call } from '../api';
import { useAuth } from '../auth';
import { applyProblem } from '../components/problem';
import { drawerSize } from '../components/drawer';
import { ChangeHistory } from '../components/ChangeHistory';
import { Section } from '../components/Section';
import { FormModal } from '../components/FormModal';
import { SearchSelect } from '../components/SearchSelect';
import { isFuture, shown, toOptions, ymd, today } from '../components/format';
import {
  BODY_LABEL,
  ENTITY_STATUS as STATUS,
  MEMBERSHIP_LABEL,
  OFFICER_ROLE_LABEL,
  ORG_KIND_LABEL,
  ORG_STATUS_LABEL,
  SETUP_MODE_LABEL,
} from '../components/labels';
import { OrgStatusTag, TermTag } from '../components/OrgTags';
import type { EntityRow } from './Entities';
import { useRecord } from '../components/hooks';
import { ORG_NEXT } from '@domain/orgs/lifecycle';
import { idNumberRule } from '../components/validators';
import { Loaded } from '../components/Loading';

export type { OrgRow } from '@server/features/orgs/contract';
type Member = ItemOf<typeof listMembers>;

const MEMBERSHIP: Record<string, string> = MEMBERSHIP_LABEL;
/** Columns a phone can do without, so the drawer's tables fit its width with their actions in view. */
const SM: Breakpoint[] = ['sm'];
/** What a status change asks for: 筹建 → 已建 needs the founding date, 撤销 the date it ended. */
const TRANSITIONS = {
  established: { label: '标记为已建', field: 'foundedOn', date: '成立日期', hint: '已建组织计入组织覆盖。' },
  dissolved: { label: '撤销', field: 'dissolvedOn', date: '撤销日期', hint: '撤销后不再计入覆盖，且不能恢复。' },
} as const;
type Target = keyof typeof TRANSITIONS;
const NEXT: Record<string, readonly Target[]> = ORG_NEXT;
type Acting = { kind: 'status'; to: Target } | { kind: 'entity' | 'member' | 'officer' };

export function OrgDrawer({ id, onClose, onChanged }: { id: number; onClose: () => void; onChanged: () => void }) {
  const { can } = useAuth();
  const { message } = App.useApp();
  const { d, error, acting, setActing, done } = useRecord<typeof getOrg, Acting>(getOrg, { id }, onChanged);
  const write = can('data.write') && d?.status !== 'dissolved';
  const remove = (
    e: typeof removeOrgEntity | typeof removeOrgMember | typeof removeOrgOfficer,
    key: number,
    text: string,
  ) =>
    call(e, { params: { id, key } }).then(
      () => done(text),
      (e) => message.error(applyProblem(null, e)),
    );
  const people = d?.body === 'league' ? '团员' : '党员';

  return (
    <Drawer
      open
      size={drawerSize()}
      onClose={onClose}
      title={
        d ? (
          <Space wrap size={4}>
            {d.name}
            <OrgStatusTag status={d.status} />
          </Space>
        ) : (
          '组织'
        )
      }
      footer={
        d &&
        can('data.write') &&
        NEXT[d.status].length > 0 && (
          <Space wrap>
            {NEXT[d.status].map((t) => (
              <Button
                key={t}
                type={t === 'established' ? 'primary' : 'default'}
                danger={t === 'dissolved'}
                onClick={() => setActing({ kind: 'status', to: t })}
              >
                {TRANSITIONS[t].label}
              </Button>
            ))}
          </Space>
        )
      }
    >
      <Loaded data={d} error={error}>
        {(d) => (
          <>
            {d.findings.map((f) => (
              <Alert
                key={f.rule}
                type={f.severity === 'refuse' ? 'error' : 'warning'}
                showIcon
                title={f.message}
                style={{ marginBottom: 8 }}
              />
            ))}
            <Descriptions
              size="small"
              bordered
              column={{ xs: 1, sm: 2 }}
              styles={{ label: { whiteSpace: 'nowrap' } }}
              items={[
                { label: '类别', children: BODY_LABEL[d.body] },
                { label: '组织类型', children: d.kindLabel },
                {
                  label: '建立方式',
                  children: `${d.setupModeLabel}${d.affiliatedTo ? `（挂靠 ${d.affiliatedTo}）` : ''}`,
                },
                { label: '县区 / 基层所', children: `${d.countyName}${d.stationName ? ` / ${d.stationName}` : ''}` },
                { label: '成立日期', children: d.foundedOn ?? (d.status === 'preparing' ? '筹建中' : '—') },
                ...(d.dissolvedOn ? [{ label: '撤销日期', children: d.dissolvedOn }] : []),
                {
                  label: `正式${people}`,
                  children: `${d.fullMembers.count} 名${d.fullMembers.registered ? '（按登记的组织关系）' : d.fullMembers.found ? '（按覆盖单位中找到的党员，组织关系尚未登记）' : ''}`,
                },
                { label: '书记', children: d.secretary ?? '未配备' },
                ...(d.note ? [{ label: '备注', children: d.note, span: 'filled' as const }] : []),
              ]}
            />

            <Section
              title={`覆盖的市场主体（${d.entities.length}）`}
              extra={
                write && (
                  <Button size="small" icon={<PlusOutlined />} onClick={() => setActing({ kind: 'entity' })}>
                    增加
                  </Button>
                )
              }
            >
              <Table
                rowKey="id"
                size="small"
                pagination={false}
                dataSource={d.entities}
                locale={{ emptyText: '尚未覆盖市场主体' }}
                columns={[
                  {
                    title: '名称',
                    dataIndex: 'name',
                    render: (n: string, e) => <Link to={`/entities/${e.id}`}>{n}</Link>,
                  },
                  {
                    title: '登记状态',
                    dataIndex: 'status',
                    width: 80,
                    responsive: SM,
                    render: (s: string) => <Tag color={STATUS[s]?.[1]}>{STATUS[s]?.[0] ?? s}</Tag>,
                  },
                  { title: '找到党员', dataIndex: 'foundMembers', width: 80, align: 'right' },
                  ...(write
                    ? [
                        {
                          title: '',
                          key: 'op',
                          width: 60,
                          render: (_: unknown, e: OrgDetail['entities'][number]) => (
                            <Popconfirm
                              title={`不再覆盖 ${e.name}？`}
                              onConfirm={() => remove(removeOrgEntity, e.id, '已移出')}
                            >
                              <a>移出</a>
                            </Popconfirm>
                          ),
                        },
                      ]
                    : []),
                ]}
              />
            </Section>

            <Section
              title={`${people}（组织关系在本组织，${d.members.length} 名）`}
              extra={
                write && (
                  <Button size="small" icon={<PlusOutlined />} onClick={() => setActing({ kind: 'member' })}>
                    登记{people}
                  </Button>
                )
              }
            >
              <Table
                rowKey="id"
                size="small"
                pagination={false}
                dataSource={d.members}
                locale={{ emptyText: `尚未登记${people}的组织关系` }}
                columns={[
                  { title: '姓名', dataIndex: 'name', width: 100 },
                  ...(d.body === 'party'
                    ? [
                        {
                          title: '类别',
                          dataIndex: 'membership',
                          width: 90,
                          render: (v: string | null) => (v ? MEMBERSHIP[v] : '—'),
                        },
                        {
                          title: '入党日期',
                          dataIndex: 'joinDate',
                          width: 110,
                          responsive: SM,
                          render: (v: string | null) => v ?? '—',
                        },
                      ]
                    : []),
                  {
                    title: '转入本组织',
                    dataIndex: 'joinedOn',
                    responsive: SM,
                    render: (v: string | null) => v ?? '—',
                  },
                  ...(write
                    ? [
                        {
                          title: '',
                          key: 'op',
                          width: 60,
                          render: (_: unknown, m: OrgDetail['members'][number]) => (
                            <Popconfirm
                              title={`移出 ${m.name}？`}
                              description="其在本组织的班子职务一并免去。"
                              onConfirm={() => remove(removeOrgMember, m.id, '已移出')}
                            >
                              <a>移出</a>
                            </Popconfirm>
                          ),
                        },
                      ]
                    : []),
                ]}
              />
            </Section>

            <Section
              title="班子成员"
              extra={
                write && (
                  <Button
                    size="small"
                    icon={<PlusOutlined />}
                    disabled={!d.members.length}
                    title={d.members.length ? undefined : `先登记${people}，再从中任命`}
                    onClick={() => setActing({ kind: 'officer' })}
                  >
                    任命
                  </Button>
                )
              }
            >
              <Table
                rowKey="id"
                size="small"
                pagination={false}
                dataSource={d.officers}
                locale={{ emptyText: d.members.length ? '尚未任命班子成员' : `尚未任命班子成员（须先登记${people}）` }}
                columns={[
                  { title: '姓名', dataIndex: 'name', width: 100 },
                  { title: '职务', dataIndex: 'roleLabel', width: 80 },
                  {
                    title: '任期',
                    key: 'term',
                    render: (_, o) => (
                      <Space size={4} wrap>
                        <span style={{ whiteSpace: 'nowrap' }}>{o.termStart} 至</span>
                        <span style={{ whiteSpace: 'nowrap' }}>{o.termEnd}</span>
                        {o.leftOn ? (
                          <Tag>
                            {o.leftOn} 离任（{o.leftReason}）
                          </Tag>
                        ) : (
                          <TermTag due={o.due} />
                        )}
                      </Space>
                    ),
                  },
                  ...(write
                    ? [
                        {
                          title: '',
                          key: 'op',
                          width: 60,
                          render: (_: unknown, o: OrgDetail['officers'][number]) => (
                            <Popconfirm
                              title={`免去 ${o.name} 的${o.roleLabel}职务？`}
                              onConfirm={() => remove(removeOrgOfficer, o.id, '已免去')}
                            >
                              <a>免去</a>
                            </Popconfirm>
                          ),
                        },
                      ]
                    : []),
                ]}
              />
            </Section>

            <Section title="变更记录">
              <ChangeHistory lines={d.history} describe={(h) => describe(h, d)} />
            </Section>
          </>
        )}
      </Loaded>
      {d && acting?.kind === 'status' && (
        <StatusForm org={d} to={acting.to} onClose={() => setActing(null)} onDone={done} />
      )}
      {d && acting?.kind === 'entity' && <EntityForm org={d} onClose={() => setActing(null)} onDone={done} />}
      {d && acting?.kind === 'member' && <MemberForm org={d} onClose={() => setActing(null)} onDone={done} />}
      {d && acting?.kind === 'officer' && <OfficerForm org={d} onClose={() => setActing(null)} onDone={done} />}
    </Drawer>
  );
}

type FormProps = { org: OrgDetail; onClose: () => void; onDone: (text: string) => void };

function StatusForm({ org, to, onClose, onDone }: FormProps & { to: Target }) {
  const t = TRANSITIONS[to];
  return (
    <FormModal<{ date: dayjs.Dayjs }>
      title={`${t.label}：${org.name}`}
      okText={t.label}
      danger={to === 'dissolved'}
      initialValues={{ date: today() }}
      onClose={onClose}
      onSubmit={async (v) => {
        await call(updateOrg, {
          params: { id: org.id },
          body:
            to === 'established' ? { status: to, foundedOn: ymd(v.date) } : { status: to, dissolvedOn: ymd(v.date) },
        });
        onDone(to === 'established' ? '已标记为已建' : '已撤销');
      }}
    >
      <Typography.Paragraph type="secondary">{t.hint}</Typography.Paragraph>
      <Form.Item name="date" label={t.date} rules={[{ required: true, message: `请选择${t.date}` }]}>
        <DatePicker disabledDate={isFuture} />
      </Form.Item>
    </FormModal>
  );
}

function EntityForm({ org, onClose, onDone }: FormProps) {
  return (
    <FormModal<{ entityId: number }>
      title="增加覆盖的市场主体"
      onClose={onClose}
      onSubmit={async (v) => {
        await call(addOrgEntity, { params: { id: org.id }, body: { entityId: v.entityId } });
        onDone('已增加');
      }}
    >
      <Form.Item
        name="entityId"
        label={`市场主体（${org.countyName}内）`}
        rules={[{ required: true, message: '请选择市场主体' }]}
      >
        <SearchSelect<EntityRow>
          path="/entities"
          query={{ under: org.countyCode, status: 'active' }}
          toOption={(e) => ({ value: e.id, label: `${e.name}${e.stationName ? ` · ${e.stationName}` : ''}` })}
        />
      </Form.Item>
    </FormModal>
  );
}

/** Party organizations register members from the roster; Youth League ones by name and ID number. */
function MemberForm({ org, onClose, onDone }: FormProps) {
  const party = org.body === 'party';
  return (
    <FormModal<{ memberId?: number; name?: string; idNumber?: string; joinedOn?: dayjs.Dayjs }>
      title={party ? '登记党员组织关系' : '登记团员'}
      onClose={onClose}
      onSubmit={async (v) => {
        await call(addOrgMember, {
          params: { id: org.id },
          body: party
            ? { memberId: v.memberId, joinedOn: ymd(v.joinedOn) }
            : { name: v.name, idNumber: v.idNumber, joinedOn: ymd(v.joinedOn) },
        });
        onDone('已登记');
      }}
    >
      {party ? (
        <Form.Item
          name="memberId"
          label="党员（从党员名册中选）"
          rules={[{ required: true, message: '请选择党员' }]}
          extra="一名党员的组织关系只能在一个党组织。"
        >
          <SearchSelect<Member>
            path="/members"
            placeholder="输入姓名查找"
            toOption={(m) => ({
              value: m.id,
              label: `${m.name} · ${m.membership ? MEMBERSHIP[m.membership] : '类别未知'}${m.entities.length ? ` · ${m.entities.join('、')}` : ''}`,
            })}
          />
        </Form.Item>
      ) : (
        <>
          <Form.Item name="name" label="姓名" rules={[{ required: true, min: 2, max: 20, message: '请填写姓名' }]}>
            <Input maxLength={20} />
          </Form.Item>
          <Form.Item
            name="idNumber"
            label="身份证号（加密保存）"
            rules={[{ required: true, message: '请填写身份证号' }, idNumberRule]}
          >
            <Input maxLength={18} />
          </Form.Item>
        </>
      )}
      <Form.Item name="joinedOn" label="转入本组织日期（可不填）">
        <DatePicker disabledDate={isFuture} />
      </Form.Item>
    </FormModal>
  );
}

function OfficerForm({ org, onClose, onDone }: FormProps) {
  return (
    <FormModal<{
      personId: number;
      role: BodyOf<typeof addOrgOfficer>['role'];
      termStart: dayjs.Dayjs;
      termEnd?: dayjs.Dayjs;
    }>
      title="任命班子成员"
      initialValues={{ role: 'secretary', termStart: today() }}
      onClose={onClose}
      onSubmit={async (v) => {
        await call(addOrgOfficer, {
          params: { id: org.id },
          body: { personId: v.personId, role: v.role, termStart: ymd(v.termStart)!, termEnd: ymd(v.termEnd) },
        });
        onDone('已任命');
      }}
    >
      <Form.Item name="personId" label="人员（本组织登记的党员）" rules={[{ required: true, message: '请选择人员' }]}>
        <Select
          options={org.members.map((m) => ({
            value: m.personId,
            label: `${m.name}${m.membership ? ` · ${MEMBERSHIP[m.membership]}` : ''}`,
          }))}
        />
      </Form.Item>
      <Form.Item name="role" label="职务">
        <Select options={toOptions(OFFICER_ROLE_LABEL)} />
      </Form.Item>
      <Space wrap align="start">
        <Form.Item name="termStart" label="任职日期" rules={[{ required: true, message: '请选择任职日期' }]}>
          <DatePicker />
        </Form.Item>
        <Form.Item name="termEnd" label="届满日期" extra="不填则按届期自动计算">
          <DatePicker />
        </Form.Item>
      </Space>
    </FormModal>
  );
}

/** One history line in words: the rows are ledger rows (snake_case); the server names the person or entity a row refers to. */
function describe(h: OrgDetail['history'][number], d: OrgDetail): string {
  const row = h.after ?? h.before ?? {};
  const person = (pid: unknown) => h.subject ?? d.members.find((m) => m.personId === pid)?.name ?? '（已移出的人员）';
  switch (h.object_type) {
    case 'party_org': {
      if (h.op === 'I') return `登记组织：${shown(row.name)}（${label(ORG_STATUS_LABEL, row.status)}）`;
      if (h.op === 'D') return '删除组织';
      const changes = Object.entries(ORG_FIELDS)
        .filter(([k]) => h.before?.[k] !== h.after?.[k])
        .map(([k, [name, labels]]) => `${name}：${label(labels, h.before?.[k])} → ${label(labels, h.after?.[k])}`);
      return changes.length ? changes.join('；') : '修改组织信息';
    }
    case 'party_org_entity': {
      const name = h.subject ?? `市场主体 #${shown(row.entity_id)}`;
      return h.op === 'D' ? `不再覆盖：${name}` : `覆盖：${name}`;
    }
    case 'party_org_member':
      return h.op === 'D'
        ? `移出组织关系：${person(row.person_id)}`
        : h.op === 'I'
          ? `登记组织关系：${person(row.person_id)}`
          : `修改组织关系：${person(row.person_id)}`;
    case 'party_org_officer': {
      const role = label(OFFICER_ROLE_LABEL, row.role);
      return h.op === 'D'
        ? `免去${role}：${person(row.person_id)}`
        : `任命${role}：${person(row.person_id)}（${shown(row.term_start)} 至 ${shown(row.term_end)}）`;
    }
    default:
      return h.object_type;
  }
}
const ORG_FIELDS: Record<string, [string, Record<string, string>?]> = {
  status: ['状态', ORG_STATUS_LABEL],
  name: ['名称'],
  kind: ['组织类型', ORG_KIND_LABEL],
  setup_mode: ['建立方式', SETUP_MODE_LABEL],
  founded_on: ['成立日期'],
  dissolved_on: ['撤销日期'],
  affiliated_to: ['挂靠'],
  note: ['备注'],
};
const label = (labels: Record<string, string> | undefined, v: unknown) =>
  v === null || v === undefined ? '空' : (labels?.[shown(v)] ?? shown(v));
