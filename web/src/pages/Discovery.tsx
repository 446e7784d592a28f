import { useCallback, useEffect, useState } from 'react';
import { ListOrCards } from '../components/ListOrCards';
import { JurisdictionPicker } from '../components/JurisdictionPicker';
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Drawer,
  Form,
  Input,
  Modal,
  Radio,
  Select,
  Space,
  Steps,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { SearchOutlined } from '@ant-design/icons';
import { Link, useSearchParams } from 'react-router-dom';
import { call, withQuery } from '../api';
import type { BodyOf } from '@server/http/contract';
import {
  actOnCase,
  exportCases,
  getCase,
  getDiscoveryRun,
  listCases,
  startDiscoveryRun,
  RUN_STEPS,
  type CaseDetail as Detail,
  type CaseEventDetail as EventDetail,
  type CaseRow as Case,
  type DiscoveryRun as Run,
} from '@server/features/discovery/contract';
import {
  ABSENT_RESULT,
  ABSENT_RESULTS,
  ACTION_LABEL,
  CASE_KIND_LABEL,
  CASE_KINDS,
  CASE_STATES,
  PENDING_STATES,
  STATE_LABEL,
  type AbsentResult,
  type CaseAction,
} from '@domain/cases/workflow';
import { useAuth } from '../auth';
import { PageTitle } from '../Layout';
import { usePaged } from '../components/usePaged';
import { useOpenParam } from '../components/hooks';
import { applyProblem } from '../components/problem';
import { drawerSize } from '../components/drawer';
import { isFuture, when } from '../components/format';
import { DateField } from '../components/DateField';
import { MEMBER_STATUS_LABEL } from '../components/labels';
import { DownloadButton } from '../components/DownloadButton';

const KINDS = [['', '全部'], ...CASE_KINDS.map((k) => [k, CASE_KIND_LABEL[k]])];
const STATE_COLOR: Record<string, string> = {
  open: 'red',
  contacted: 'orange',
  confirmed: 'green',
  dismissed: 'default',
  transferred: 'blue',
  resolved: 'cyan',
};
const LEVEL: Record<string, string> = {
  exact: '一致',
  homophone: '同音',
  one_char: '一字之差',
  transposed: '数字颠倒',
  month: '同年同月',
  same: '一致',
  different: '不同',
  missing: '缺失',
};

export default function Discovery() {
  const { me, can } = useAuth();
  const { message } = App.useApp();
  // An import's result links here with its kind and state (?kind=roster_absent&state=open), the dashboard's
  // 待核实线索 with both states it counts (?state=open,contacted); with none, the cases still to verify.
  const [params] = useSearchParams();
  const [kind, setKind] = useState(() => params.get('kind') ?? '');
  const [state, setState] = useState<string[]>(() => params.get('state')?.split(',').filter(Boolean) ?? PENDING_STATES);
  // The dashboard's 待核实线索 passes the sub-jurisdiction clicked (?under=), so the list agrees with the figure.
  const [under, setUnder] = useState<string | undefined>(() => params.get('under') ?? undefined);
  const [run, setRun] = useState<Run | null>(null);
  // Kept in the address (?open=12): a task reply's linked case and an entity's case list open it here.
  const [open, setOpen] = useOpenParam();
  const filters = { kind: kind || undefined, state: state.join(',') || undefined, under };
  const list = usePaged(listCases, filters);
  const { reload } = list;

  useEffect(() => {
    if (run?.status !== 'running') return;
    const t = setInterval(
      () =>
        void (async () => {
          const r = await call(getDiscoveryRun, { params: { id: run.id } });
          setRun(r);
          if (r.status !== 'running') void reload();
        })(),
      800,
    );
    return () => clearInterval(t);
  }, [run, reload]);

  const start = async () => {
    try {
      setRun(await call(startDiscoveryRun));
    } catch (e) {
      message.error(applyProblem(null, e));
    }
  };
  return (
    <div>
      <PageTitle
        title="查找党员（组织找党员）"
        extra={
          can('data.write') && (
            <Button type="primary" icon={<SearchOutlined />} onClick={start} loading={run?.status === 'running'}>
              运行比对
            </Button>
          )
        }
      />
      {run && (
        <Alert
          style={{ marginBottom: 16 }}
          type={run.status === 'failed' ? 'error' : run.status === 'done' ? 'success' : 'info'}
          showIcon
          title={
            run.status === 'running'
              ? '比对中（在后台进行，可离开本页；完成后新线索出现在列表中）'
              : run.status === 'done'
                ? `比对完成：名册党员 ${run.counts.members} 人，主体人员 ${run.counts.roles} 人次，关联 ${run.counts.links} 条（其中身份证号一致 ${run.counts.exact} 条）；新线索 ${run.counts.raised} 条，重新核实 ${run.counts.reopened} 条`
                : `比对失败：${run.error}`
          }
          description={
            run.status === 'running' ? (
              // Where the run is among its steps (a bar held at 99% said nothing of it).
              <div data-testid="run-steps">
                <Steps
                  size="small"
                  current={Math.max(0, (RUN_STEPS as readonly (string | null)[]).indexOf(run.step))}
                  items={RUN_STEPS.map((title) => ({ title }))}
                />
              </div>
            ) : undefined
          }
        />
      )}
      <Card size="small">
        <Space wrap style={{ marginBottom: 12 }}>
          <Select
            value={kind}
            onChange={setKind}
            style={{ width: 190 }}
            options={KINDS.map(([value, label]) => ({ value, label: value ? label : '全部线索' }))}
          />
          <div style={{ width: 240 }} data-testid="case-state">
            <Select
              mode="multiple"
              allowClear
              placeholder="全部状态（不含自动关闭）"
              style={{ width: '100%' }}
              maxTagCount="responsive"
              value={state}
              onChange={setState}
              options={CASE_STATES.map((value) => ({ value, label: STATE_LABEL[value] }))}
            />
          </div>
          {/* A station has no level below it to narrow to: the picker would only take room on its phone. */}
          {me!.jurisdiction.level !== 'station' && (
            <div style={{ width: 200 }} data-testid="case-under">
              <JurisdictionPicker root={me!.jurisdiction.code} value={under} onChange={setUnder} placeholder="辖区" />
            </div>
          )}
          <DownloadButton href={withQuery(`/api/v1${exportCases.path}`, filters)}>导出 Excel</DownloadButton>
        </Space>
        <ListOrCards<Case>
          error={list.error}
          onRetry={list.reload}
          rowKey="id"
          loading={list.loading}
          dataSource={list.items}
          pagination={list.pagination}
          scroll={{ x: 820 }}
          locale={{ emptyText: '没有线索。导入党员名册和登记信息后，点击"运行比对"。' }}
          onOpen={(c) => setOpen(c.id)}
          card={(c) => ({
            title: c.entityName,
            status: <Tag color={STATE_COLOR[c.state]}>{c.stateLabel}</Tag>,
            due: { label: '更新', value: when(c.updatedAt) },
            lines: [
              <Tag color="volcano">{c.kindLabel}</Tag>,
              `党员：${c.memberName ?? '—'}`,
              `基层所：${c.stationName ?? '—'}`,
            ],
          })}
          columns={[
            {
              title: '线索',
              dataIndex: 'kindLabel',
              width: 150,
              render: (v: string) => <Tag color="volcano">{v}</Tag>,
            },
            { title: '市场主体 / 党组织', dataIndex: 'entityName' },
            { title: '党员', dataIndex: 'memberName', width: 100, render: (v) => v ?? '—' },
            { title: '基层所', dataIndex: 'stationName', width: 160, render: (v) => v ?? '—' },
            {
              title: '状态',
              dataIndex: 'stateLabel',
              width: 120,
              render: (v: string, c) => <Tag color={STATE_COLOR[c.state]}>{v}</Tag>,
            },
          ]}
        />
      </Card>
      {open && <CaseDrawer id={open} onClose={() => setOpen(null)} onChanged={reload} />}
    </div>
  );
}

type Item = { label: string; children: React.ReactNode };
const memberLine = (m: NonNullable<Detail['member']>) =>
  `${m.name}${m.birthDate ? `，${m.birthDate} 生` : ''}${m.phone ? `，${m.phone}` : ''}`;

/** A case about an entity (or a self-report): the entity, what its report declared, the member found and how. */
function entityItems(d: Detail, ev: Detail['evidence']): Item[] {
  return [
    {
      label: '市场主体',
      children: d.entity ? (
        <Link to={`/entities/${d.entity.id}`}>{d.entity.name}</Link>
      ) : (
        `${d.report?.entityText ?? ''}（台账中未找到）`
      ),
    },
    ...(d.report
      ? [
          { label: '报到人', children: `${d.report.name}，${d.report.phone}` },
          { label: '回执号', children: d.report.receipt },
          { label: '自述组织关系', children: d.report.orgRelation ?? '（未填）' },
        ]
      : []),
    {
      label: '年报申报党员',
      children:
        ev.declared !== undefined
          ? `${ev.declared} 人${ev.reportYear ? `（${ev.reportYear} 年度）` : '（无年报）'}`
          : '—',
    },
    { label: '比对找到党员', children: ev.found !== undefined ? `${ev.found} 人` : '—' },
    ...(d.member
      ? [
          { label: '党员', children: memberLine(d.member) },
          { label: '组织关系所在党组织', children: d.member.orgRelation ?? '（名册未填）' },
          {
            label: '如何找到',
            children:
              ev.method === 'exact'
                ? '身份证号一致'
                : `姓名、出生日期、电话等比对（得分 ${ev.score}）：${Object.entries(ev.levels ?? {})
                    .map(
                      ([k, v]) =>
                        `${{ name: '姓名', birthDate: '出生日期', phone: '电话', county: '县区' }[k] ?? k}${LEVEL[v] ?? v}`,
                    )
                    .join('，')}`,
          },
        ]
      : []),
  ];
}

/** A member missing from a full roster: the member, the organization the roster carried, the import that found it. */
function absentItems(d: Detail): Item[] {
  return [
    ...(d.member
      ? [
          {
            label: '党员',
            children: <Link to={`/members?q=${encodeURIComponent(d.member.name)}`}>{memberLine(d.member)}</Link>,
          },
          {
            label: '党员状态',
            children: MEMBER_STATUS_LABEL[d.member.memberStatus as 'normal'] ?? d.member.memberStatus,
          },
          { label: '组织关系所在党组织', children: d.member.orgRelation ?? '（名册未填）' },
        ]
      : []),
    { label: '完整名册中的党组织', children: d.evidence.orgRelation ?? '—' },
    {
      label: '发现于',
      children: d.evidence.importJob ? <Link to="/imports">导入任务 #{d.evidence.importJob}</Link> : '—',
    },
  ];
}

/** One line of a case's trail: what the person wrote, or why the system closed or raised it and which change did. */
const eventText = (d: EventDetail) =>
  [
    d.reason && (d.change ? `原因：${d.reason}` : d.reason),
    d.contact?.outcome,
    d.transfer && `${d.transfer.from} → ${d.transfer.to}`,
    d.conclusion &&
      [
        ABSENT_RESULT[d.conclusion.result as AbsentResult]?.label ?? d.conclusion.result,
        d.conclusion.date,
        d.conclusion.to && `转入 ${d.conclusion.to}`,
      ]
        .filter(Boolean)
        .join('，'),
    d.change && `引起变化：${d.change.label}`,
  ]
    .filter(Boolean)
    .join('；');

function CaseDrawer({ id, onClose, onChanged }: { id: number; onClose: () => void; onChanged: () => void }) {
  const { message } = App.useApp();
  const { can } = useAuth();
  const [d, setD] = useState<Detail | null>(null);
  const [acting, setActing] = useState<CaseAction | null>(null);
  const load = useCallback(() => call(getCase, { params: { id } }).then(setD), [id]);
  useEffect(() => void load(), [load]);
  const ev: Detail['evidence'] = d?.evidence ?? {};
  return (
    <Drawer
      open
      size={drawerSize()}
      title={d ? `${d.kindLabel} · ${d.entity?.name ?? d.report?.entityText ?? d.member?.name ?? ''}` : '线索'}
      onClose={onClose}
      footer={
        d &&
        can('data.write') &&
        d.actions.length > 0 && (
          <Space wrap>
            {d.actions.map((a) => (
              <Button
                key={a}
                type={a === 'confirm' || a === 'conclude' ? 'primary' : 'default'}
                onClick={() => setActing(a)}
              >
                {ACTION_LABEL[a]}
              </Button>
            ))}
          </Space>
        )
      }
    >
      {d && (
        <>
          {d.state === 'resolved' &&
            (() => {
              const closed = [...d.events].reverse().find((e) => e.action === 'auto_closed')?.detail;
              return (
                <Alert
                  type="success"
                  showIcon
                  style={{ marginBottom: 16 }}
                  message="情况已变化，线索自动关闭"
                  description={
                    closed && (
                      <>
                        {closed.reason && <div>原因：{closed.reason}</div>}
                        {closed.change && <div>引起变化：{closed.change.label}</div>}
                      </>
                    )
                  }
                />
              );
            })()}
          <Descriptions
            size="small"
            column={1}
            bordered
            items={[
              { label: '状态', children: d.stateLabel },
              ...(d.condition ? [{ label: '发现条件', children: d.condition }] : []),
              ...(d.kind === 'roster_absent' ? absentItems(d) : entityItems(d, ev)),
            ]}
          />
          <Typography.Title level={5} style={{ marginTop: 24 }}>
            处理记录
          </Typography.Title>
          <Timeline
            items={d.events.map((e) => ({
              content: (
                <div>
                  <b>{e.actionLabel}</b> · {when(e.at)} · {e.actor}
                  {e.detail && (
                    <div style={{ fontSize: 12, color: '#666', overflowWrap: 'anywhere' }}>{eventText(e.detail)}</div>
                  )}
                </div>
              ),
            }))}
          />
        </>
      )}
      {acting && (
        <ActionForm
          id={id}
          action={acting}
          onClose={() => setActing(null)}
          onDone={() => {
            setActing(null);
            message.success('已记录');
            void load();
            onChanged();
          }}
        />
      )}
    </Drawer>
  );
}

function ActionForm({
  id,
  action,
  onClose,
  onDone,
}: {
  id: number;
  action: CaseAction;
  onClose: () => void;
  onDone: () => void;
}) {
  const [form] = Form.useForm();
  const [error, setError] = useState<string | null>(null);
  const result = Form.useWatch<AbsentResult | undefined>('result', form);
  const submit = async () => {
    const v = await form.validateFields();
    const body: BodyOf<typeof actOnCase> = { action, reason: v.reason || undefined };
    if (action === 'contact') body.contact = { date: v.date.format('YYYY-MM-DD'), way: v.way, outcome: v.outcome };
    if (action === 'transfer') body.transfer = { from: v.from, to: v.to, date: v.date.format('YYYY-MM-DD') };
    if (action === 'conclude')
      body.conclusion = {
        result: v.result,
        ...(v.date ? { date: v.date.format('YYYY-MM-DD') } : {}),
        ...(v.to ? { to: v.to } : {}),
      };
    try {
      await call(actOnCase, { params: { id }, body });
      onDone();
    } catch (e) {
      setError(applyProblem(form, e));
    }
  };
  return (
    <Modal open title={ACTION_LABEL[action]} onCancel={onClose} onOk={submit} okText="确定" destroyOnHidden>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical">
        {action === 'conclude' && (
          <Form.Item name="result" label="核实结果" rules={[{ required: true, message: '请选择核实结果' }]}>
            <Radio.Group
              data-testid="conclude-result"
              options={ABSENT_RESULTS.map((r) => ({ value: r, label: ABSENT_RESULT[r].label }))}
            />
          </Form.Item>
        )}
        {(action === 'contact' ||
          action === 'transfer' ||
          (action === 'conclude' && result && result !== 'on_roll')) && (
          <Form.Item
            name="date"
            label={action === 'conclude' && result ? `${ABSENT_RESULT[result].label}日期` : '日期'}
            rules={[{ required: true, message: '请选择日期' }]}
          >
            <DateField disabledDate={isFuture} />
          </Form.Item>
        )}
        {action === 'conclude' && result === 'transferred_out' && (
          <Form.Item name="to" label="转入党组织（知道时填写）">
            <Input maxLength={200} />
          </Form.Item>
        )}
        {action === 'contact' && (
          <>
            <Form.Item name="way" label="方式" initialValue="visit">
              <Select
                options={[
                  ['visit', '上门走访'],
                  ['phone', '电话'],
                  ['message', '短信/微信'],
                  ['other', '其他'],
                ].map(([value, label]) => ({ value, label }))}
              />
            </Form.Item>
            <Form.Item name="outcome" label="结果" rules={[{ required: true, message: '请填写联系结果' }]}>
              <Input.TextArea rows={3} maxLength={500} />
            </Form.Item>
          </>
        )}
        {action === 'transfer' && (
          <>
            <Form.Item name="from" label="转出党组织" rules={[{ required: true, message: '请填写转出党组织' }]}>
              <Input maxLength={200} />
            </Form.Item>
            <Form.Item name="to" label="转入党组织" rules={[{ required: true, message: '请填写转入党组织' }]}>
              <Input maxLength={200} />
            </Form.Item>
          </>
        )}
        {(action === 'dismiss' || action === 'confirm' || action === 'reopen' || action === 'conclude') && (
          <Form.Item
            name="reason"
            label={
              action === 'dismiss'
                ? '排除原因'
                : action === 'conclude' && result === 'on_roll'
                  ? '名册中没有该党员的原因'
                  : '说明'
            }
            rules={
              action === 'dismiss' || (action === 'conclude' && result === 'on_roll')
                ? [{ required: true, message: action === 'dismiss' ? '排除须写明原因' : '仍在册须写明原因' }]
                : []
            }
          >
            <Input.TextArea rows={3} maxLength={500} />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}
