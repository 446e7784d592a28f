import { useEffect, useState } from 'react';
import { ListOrCards, ListTable } from '../components/ListOrCards';
import {
  Alert,
  Button,
  Card,
  Checkbox,
  DatePicker,
  Descriptions,
  Drawer,
  Form,
  Input,
  Select,
  Space,
  Switch,
  Tabs,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { Link, useSearchParams } from 'react-router-dom';
import dayjs from 'dayjs';
import { call, pathOf, withQuery } from '../api';
import {
  actOnAppeal,
  appealFigures,
  cancelVisitPlan,
  createServicePost,
  createVisit,
  createVisitPlan,
  exportAppeals,
  getAppeal,
  getVisit,
  listAppeals,
  listServicePosts,
  listVisitPlans,
  listVisits,
  revealAppeal,
  updateServicePost,
  type AppealFigures,
  type CaseRow,
  type ServicePostRow,
  type StaffAction,
  type VisitPlanRow,
  type VisitRow,
} from '@server/features/appeals/contract';
import type { BodyOf } from '@server/http/contract';
import { useAuth } from '../auth';
import { durationText } from '@server/domain/cases/step-times';
import { PageTitle } from '../Layout';
import { usePaged } from '../components/usePaged';
import { JurisdictionPicker } from '../components/JurisdictionPicker';
import { SearchSelect } from '../components/SearchSelect';
import { FormModal } from '../components/FormModal';
import { CancelledMark, CancelWorkButton } from '../components/CancelWork';
import { drawerSize } from '../components/drawer';
import { isFuture, toOptions, ymd, when, today } from '../components/format';
import { DateField } from '../components/DateField';
import { filtered, useFilters, useOpenParam, useRecord } from '../components/hooks';
import { useDictionary } from '../components/useDictionary';
import { ACTION_LABEL, DOOR_LABEL, RIDER_CATEGORY_LABEL, STATE_LABEL } from '@domain/cases/engine';
import { AreaBars } from '../components/AreaBars';
import { OFFER_LABEL } from '@domain/cases/service-posts';
import type { EntityRow } from './Entities';
import { ChildrenTable } from '../components/ChildrenTable';
import { Loaded } from '../components/Loading';
import { DownloadButton } from '../components/DownloadButton';

type Acting = StaffAction;

/** The node just above the user's (a station hands a case that is not its own back to its county). */
const parentOf = (j: { code: string; path: { code: string; name: string }[] }) =>
  j.path.filter((p) => p.code !== j.code).slice(-1);
const fmt = (v: string | null) => when(v);
const STATE_COLOR: Record<string, string> = {
  routed: 'orange',
  accepted: 'blue',
  handling: 'blue',
  resolved: 'green',
  closed: 'default',
  intake: 'orange',
};

/** 诉求与走访: the work list of cases from every door, visits, riders' service posts, figures. */
export default function Appeals() {
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'cases';
  // A unit account (联系点/行业党委) has its cases and their figures only (issue 13).
  const unit = useAuth().me?.roles.some((r) => r.code === 'unit_staff') ?? false;
  return (
    <div>
      <PageTitle title="诉求直通与走访" />
      <Tabs
        activeKey={tab}
        onChange={(k) => setParams({ tab: k })}
        destroyOnHidden
        items={[
          { key: 'cases', label: '诉求工作台', children: <CaseList /> },
          ...(unit
            ? []
            : [
                { key: 'visits', label: '走访', children: <Visits /> },
                { key: 'posts', label: '骑手驿站', children: <Posts /> },
              ]),
          { key: 'figures', label: '数字', children: <Figures /> },
        ]}
      />
    </div>
  );
}

function CaseList() {
  const { me } = useAuth();
  const [open, setOpen] = useOpenParam();
  const { f, set } = useFilters();
  const list = usePaged(listAppeals, f);
  return (
    <Card size="small">
      <Space wrap style={{ marginBottom: 12 }}>
        <Select
          allowClear
          placeholder="来源"
          style={{ width: 110 }}
          onChange={set('door')}
          options={toOptions(DOOR_LABEL)}
        />
        <Select
          allowClear
          placeholder="状态"
          style={{ width: 110 }}
          onChange={set('state')}
          options={toOptions(STATE_LABEL)}
        />
        {f.door === 'rider' && (
          <Select
            allowClear
            placeholder="类别"
            style={{ width: 130 }}
            onChange={set('category')}
            options={toOptions(RIDER_CATEGORY_LABEL)}
          />
        )}
        <Checkbox onChange={(e) => set('overdue')(e.target.checked ? 'true' : undefined)}>超时</Checkbox>
        <Checkbox onChange={(e) => set('escalated')(e.target.checked ? 'true' : undefined)}>督办到本级</Checkbox>
        <div style={{ width: 180 }}>
          <JurisdictionPicker root={me!.jurisdiction.code} value={f.under} onChange={set('under')} placeholder="辖区" />
        </div>
        <Input.Search placeholder="内容" allowClear onSearch={set('q')} style={{ width: 160 }} />
        <DownloadButton href={withQuery(`/api/v1${exportAppeals.path}`, f)}>导出 Excel</DownloadButton>
      </Space>
      <ListOrCards<CaseRow>
        error={list.error}
        onRetry={list.reload}
        rowKey="id"
        size="middle"
        loading={list.loading}
        dataSource={list.items}
        pagination={list.pagination}
        scroll={{ x: 900 }}
        onOpen={(x) => setOpen(x.id)}
        locale={{ emptyText: filtered(f) ? '没有符合条件的诉求' : '本辖区还没有诉求' }}
        card={(x) => ({
          title: (
            <Space size={4} wrap>
              <Tag>{x.doorLabel}</Tag>
              <span>{x.categoryLabel}</span>
            </Space>
          ),
          status: (
            <Space size={2} wrap style={{ justifyContent: 'flex-end' }}>
              <Tag color={STATE_COLOR[x.state]}>{x.stateLabel}</Tag>
              {x.overdue && <Tag color="red">超时</Tag>}
              {x.escalated && <Tag color="volcano">督办{x.escalationLevel}级</Tag>}
            </Space>
          ),
          due: { label: '时限', value: fmt(x.dueAt) },
          lines: [
            <Typography.Text ellipsis style={{ maxWidth: '100%' }}>
              {x.content}
            </Typography.Text>,
            `${x.entityName ?? x.place ?? '—'} · ${x.unitName}`,
            `提交 ${fmt(x.createdAt)}`,
          ],
        })}
        columns={[
          { title: '提交时间', dataIndex: 'createdAt', width: 140, render: fmt },
          {
            title: '诉求',
            key: 'what',
            render: (_, x) => (
              <Space direction="vertical" size={0}>
                <Space size={4}>
                  <Tag>{x.doorLabel}</Tag>
                  <Tag color="geekblue">{x.categoryLabel}</Tag>
                </Space>
                <Typography.Text ellipsis style={{ maxWidth: 360 }}>
                  {x.content}
                </Typography.Text>
              </Space>
            ),
          },
          { title: '地点 / 主体', key: 'where', width: 160, render: (_, x) => x.entityName ?? x.place ?? '—' },
          { title: '承办单位', dataIndex: 'unitName', width: 140 },
          {
            title: '状态',
            key: 'state',
            width: 150,
            render: (_, x) => (
              <Space size={2} wrap>
                <Tag color={STATE_COLOR[x.state]}>{x.stateLabel}</Tag>
                {x.overdue && <Tag color="red">超时</Tag>}
                {x.escalated && <Tag color="volcano">督办{x.escalationLevel}级</Tag>}
              </Space>
            ),
          },
          { title: '时限', dataIndex: 'dueAt', width: 140, render: fmt },
        ]}
      />
      {open && <CaseDrawer id={open} onClose={() => setOpen(null)} onChanged={list.reload} />}
    </Card>
  );
}

function CaseDrawer({ id, onClose, onChanged }: { id: number; onClose: () => void; onChanged: () => void }) {
  const { can, me } = useAuth();
  const { d, error, acting, setActing, done, failed } = useRecord<typeof getAppeal, Acting>(
    getAppeal,
    { id },
    onChanged,
  );
  const lines = useDictionary('business_line');
  const [phone, setPhone] = useState<string | null>(null);
  const [original, setOriginal] = useState<string | null>(null);
  const act = async (action: Acting, v: Omit<BodyOf<typeof actOnAppeal>, 'action'> = {}) => {
    await call(actOnAppeal, { params: { id }, body: { action, ...v } });
    // The move made (已签收, 已转办 …): 已办理 after a mere 签收 read as if the appeal were dealt with.
    done(`已${ACTION_LABEL[action]}`);
  };
  // The staff's moves in the engine's order, worded as the domain words them.
  const buttons = (['accept', 'note', 'resolve', 'route', 'close'] as const).map((a): [Acting, string] => [
    a,
    ACTION_LABEL[a],
  ]);
  return (
    <Drawer open size={drawerSize()} title={d ? `诉求 #${d.id}` : '诉求'} onClose={onClose}>
      <Loaded data={d} error={error}>
        {(d) => (
          <>
            <Descriptions
              size="small"
              bordered
              column={1}
              items={[
                {
                  label: '状态',
                  children: (
                    <Space>
                      <Tag color={STATE_COLOR[d.state]} data-state={d.state}>
                        {d.stateLabel}
                      </Tag>
                      {d.overdue && <Tag color="red">超时</Tag>}
                      {d.escalated && <Tag color="volcano">督办{d.escalationLevel}级</Tag>}
                    </Space>
                  ),
                },
                { label: '来源 / 类别', children: `${d.doorLabel} · ${d.categoryLabel}` },
                {
                  label: '内容',
                  children: (
                    <>
                      <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: 0 }}>
                        {original ?? d.content}
                      </Typography.Paragraph>
                      {d.contentMasked && !original && d.mine && can('personal.reveal') && (
                        <a
                          onClick={() =>
                            void call(revealAppeal, { params: { id } }).then((r) => setOriginal(r.content))
                          }
                        >
                          内容中的身份证号、电话已脱敏，查看原文（留痕）
                        </a>
                      )}
                    </>
                  ),
                },
                { label: '地点 / 主体', children: d.entityName ?? d.place ?? '—' },
                {
                  label: '联系电话',
                  children: d.contact ? (
                    <Space>
                      {phone ?? d.contact}
                      {!phone && d.mine && can('personal.reveal') && (
                        <a onClick={() => void call(revealAppeal, { params: { id } }).then((r) => setPhone(r.phone))}>
                          查看完整号码（留痕）
                        </a>
                      )}
                    </Space>
                  ) : (
                    '匿名'
                  ),
                },
                { label: '承办单位', children: d.unitName },
                { label: '本环节时限', children: fmt(d.dueAt) },
                {
                  label: '各环节用时',
                  children:
                    d.stepHours
                      .filter((s) => s.hours != null)
                      .map((s) => `${s.label} ${durationText(s.hours)}`)
                      .join('；') || '—',
                },
                ...(d.reply ? [{ label: '答复', children: d.reply }] : []),
                ...(d.satisfaction
                  ? [
                      {
                        label: '满意度',
                        children: `${d.satisfaction} / 5${d.feedbackComment ? `：${d.feedbackComment}` : ''}`,
                      },
                    ]
                  : []),
              ]}
            />
            {!d.mine && (
              <Alert
                type="info"
                showIcon
                style={{ marginTop: 12 }}
                title="本单位提出或转出的诉求，由承办单位办理；这里可跟踪进度。"
              />
            )}
            {can('data.write') && d.actions.length > 0 && (
              <Space wrap style={{ marginTop: 12 }}>
                {buttons
                  .filter(([a]) => d.actions.includes(a))
                  .map(([a, label]) => (
                    <Button
                      key={a}
                      type={a === 'accept' || a === 'resolve' ? 'primary' : 'default'}
                      onClick={() => (a === 'accept' ? act('accept').catch(failed) : setActing(a))}
                    >
                      {label}
                    </Button>
                  ))}
              </Space>
            )}
            <Typography.Title level={5} style={{ marginTop: 20 }}>
              办理经过
            </Typography.Title>
            <Timeline
              items={d.events.map((e) => ({
                children: (
                  <div>
                    <b>{e.actionLabel}</b>{' '}
                    <Typography.Text type="secondary">
                      {fmt(e.at)}{' '}
                      {e.actorName ?? (e.actor === 'public' ? '提出人' : e.actor === 'system' ? '系统' : '')}
                    </Typography.Text>
                    {e.note && <div>{e.note}</div>}
                  </div>
                ),
              }))}
            />
            {acting && acting !== 'accept' && (
              <FormModal<Record<string, string>>
                title={buttons.find(([a]) => a === acting)![1]}
                onClose={() => setActing(null)}
                onSubmit={(v) => act(acting, v)}
              >
                {acting === 'resolve' && (
                  <Form.Item
                    name="reply"
                    label="给提出人的答复（公开给提出人）"
                    rules={[{ required: true, min: 5, message: '请填写给提出人的答复（至少 5 个字）' }]}
                  >
                    <Input.TextArea rows={4} maxLength={1000} />
                  </Form.Item>
                )}
                {(acting === 'note' || acting === 'close') && (
                  <Form.Item
                    name="note"
                    label={acting === 'note' ? '办理情况（内部）' : '关闭原因'}
                    rules={[{ required: acting === 'note', min: 2, message: '请填写说明' }]}
                  >
                    <Input.TextArea rows={3} maxLength={1000} />
                  </Form.Item>
                )}
                {acting === 'route' && (
                  <>
                    <Form.Item
                      name="unitCode"
                      label="转办到（本辖区内的单位，或交回上一级）"
                      rules={[{ required: true, message: '请选择承办单位' }]}
                    >
                      {me!.jurisdiction.level === 'station' ? (
                        <Select
                          options={parentOf(me!.jurisdiction).map((p) => ({ value: p.code, label: `交回${p.name}` }))}
                        />
                      ) : (
                        <JurisdictionPicker root={me!.jurisdiction.code} placeholder="选择单位" />
                      )}
                    </Form.Item>
                    <Form.Item name="line" label="业务条线（转县局时选填）">
                      <Select allowClear options={lines.entries.map((e) => ({ value: e.code, label: e.label }))} />
                    </Form.Item>
                    <Form.Item name="note" label="转办说明">
                      <Input.TextArea rows={2} maxLength={1000} />
                    </Form.Item>
                  </>
                )}
              </FormModal>
            )}
          </>
        )}
      </Loaded>
    </Drawer>
  );
}

/** One visit: what was learned, and the problems it raised with where each now stands. */
function VisitDrawer({ id, lines, onClose }: { id: number; lines: Record<string, string>; onClose: () => void }) {
  const { d, error } = useRecord(getVisit, { id }, () => {});
  return (
    <Drawer open title="走访记录" onClose={onClose} size={drawerSize()} destroyOnHidden>
      <Loaded data={d} error={error}>
        {(d) => (
          <Descriptions
            size="small"
            column={1}
            items={[
              { key: 'd', label: '日期', children: d.visitedOn },
              { key: 'e', label: '市场主体', children: d.entityName },
              { key: 'v', label: '走访人', children: d.visitorName },
              {
                key: 'l',
                label: '了解到的情况',
                children: <span style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>{d.learned}</span>,
              },
              {
                key: 'c',
                label: '提出的问题',
                children: d.cases.length
                  ? d.cases.map((c) => (
                      <div key={c.id}>
                        <Link to={`/appeals?open=${c.id}`}>{lines[c.line] ?? c.line}</Link>{' '}
                        <Tag color={STATE_COLOR[c.state]}>{STATE_LABEL[c.state]}</Tag>
                      </div>
                    ))
                  : '无',
              },
            ]}
          />
        )}
      </Loaded>
    </Drawer>
  );
}

/** A plan's entities 注销/吊销/迁出 before their visit: in its history, "无需走访", not in its count. */
function NoVisit({ plan }: { plan: VisitPlanRow }) {
  if (!plan.noVisit.length) return null;
  return (
    <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
      {plan.noVisit.map((e) => `${e.name}（${e.note}）`).join('、')}
    </Typography.Text>
  );
}

function Visits() {
  const { can, me } = useAuth();
  const plans = usePaged(listVisitPlans, {});
  const visits = usePaged(listVisits, {});
  const lines = useDictionary('business_line');
  const [adding, setAdding] = useState<'plan' | 'visit' | null>(null);
  // A task reply's linked visit opens here (?tab=visits&open=19).
  const [open, setOpen] = useOpenParam();
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {open && <VisitDrawer id={open} lines={lines.labels} onClose={() => setOpen(null)} />}
      <Typography.Paragraph type="secondary">
        大走访大调研：走访只需记录日期、市场主体和了解到的情况；发现的问题按业务条线转县局办理。不要求拍照、定位打卡。
      </Typography.Paragraph>
      <Card
        size="small"
        title="走访计划"
        extra={
          can('guidance.write') && (
            <Button icon={<PlusOutlined />} onClick={() => setAdding('plan')}>
              新建计划
            </Button>
          )
        }
      >
        <ListOrCards<VisitPlanRow>
          error={plans.error}
          onRetry={plans.reload}
          rowKey="id"
          size="small"
          loading={plans.loading}
          dataSource={plans.items}
          pagination={plans.pagination}
          scroll={{ x: 600 }}
          locale={{ emptyText: '还没有走访计划' }}
          card={(p) => ({
            title: p.title,
            due: { label: '期间', value: `${p.startsOn} 至 ${p.endsOn}` },
            lines: [
              `${p.visitorName} · 已走访 ${p.visited} / 计划 ${p.entities}`,
              ...(p.noVisit.length ? [<NoVisit key="gone" plan={p} />] : []),
              p.cancelled ? (
                <CancelledMark reason={p.cancelReason} />
              ) : (
                can('guidance.write') && (
                  <CancelWorkButton
                    path={pathOf(cancelVisitPlan, { id: p.id })}
                    what="走访计划"
                    onDone={() => void plans.reload()}
                  />
                )
              ),
            ],
          })}
          columns={[
            { title: '计划', dataIndex: 'title' },
            { title: '走访人', dataIndex: 'visitorName', width: 100 },
            { title: '期间', key: 'p', width: 200, render: (_, p) => `${p.startsOn} 至 ${p.endsOn}` },
            {
              title: '已走访 / 计划',
              key: 'n',
              width: 160,
              render: (_, p) => (
                <>
                  {`${p.visited} / ${p.entities}`}
                  <NoVisit plan={p} />
                </>
              ),
            },
            {
              title: '状态',
              key: 's',
              width: 160,
              render: (_, p) =>
                p.cancelled ? (
                  <CancelledMark reason={p.cancelReason} />
                ) : (
                  can('guidance.write') && (
                    <CancelWorkButton
                      path={pathOf(cancelVisitPlan, { id: p.id })}
                      what="走访计划"
                      onDone={() => void plans.reload()}
                    />
                  )
                ),
            },
          ]}
        />
      </Card>
      <Card
        size="small"
        title="走访记录"
        extra={
          can('guidance.write') && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setAdding('visit')}>
              登记走访
            </Button>
          )
        }
      >
        <ListOrCards<VisitRow>
          error={visits.error}
          onRetry={visits.reload}
          rowKey="id"
          size="small"
          loading={visits.loading}
          dataSource={visits.items}
          pagination={visits.pagination}
          scroll={{ x: 600 }}
          locale={{ emptyText: '还没有走访记录' }}
          onOpen={(v) => setOpen(v.id)}
          card={(v) => ({
            title: v.entityName,
            status: v.problems ? <Tag color="orange">提出问题 {v.problems}</Tag> : undefined,
            due: { label: '日期', value: v.visitedOn },
            lines: [
              <Typography.Text ellipsis style={{ maxWidth: '100%' }}>
                {v.learned}
              </Typography.Text>,
              `走访人：${v.visitorName}`,
            ],
          })}
          columns={[
            { title: '日期', dataIndex: 'visitedOn', width: 110 },
            { title: '市场主体', dataIndex: 'entityName', width: 200 },
            { title: '了解到的情况', dataIndex: 'learned' },
            { title: '走访人', dataIndex: 'visitorName', width: 90 },
            { title: '提出问题', dataIndex: 'problems', width: 80, align: 'right' },
          ]}
        />
      </Card>
      {adding === 'plan' && (
        <FormModal<{ title: string; visitorName: string; period: [dayjs.Dayjs, dayjs.Dayjs]; entityIds: number[] }>
          title="新建走访计划"
          onClose={() => setAdding(null)}
          onSubmit={async (v) => {
            await call(createVisitPlan, {
              body: {
                title: v.title,
                visitorName: v.visitorName,
                startsOn: ymd(v.period[0])!,
                endsOn: ymd(v.period[1])!,
                entityIds: v.entityIds,
              },
            });
            setAdding(null);
            void plans.reload();
          }}
        >
          <Form.Item name="title" label="计划名称" rules={[{ required: true, message: '请填写计划名称' }]}>
            <Input maxLength={60} />
          </Form.Item>
          <Form.Item
            name="visitorName"
            label="走访人"
            initialValue={me!.displayName}
            rules={[{ required: true, message: '请填写走访人' }]}
          >
            <Input maxLength={40} />
          </Form.Item>
          <Form.Item name="period" label="期间" rules={[{ required: true, message: '请选择期间' }]}>
            <DatePicker.RangePicker style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="entityIds" label="走访对象" rules={[{ required: true, message: '请选择要走访的市场主体' }]}>
            <SearchSelect<EntityRow>
              mode="multiple"
              path="/entities"
              placeholder="输入名称查找"
              toOption={(e) => ({ value: e.id, label: e.name })}
            />
          </Form.Item>
        </FormModal>
      )}
      {adding === 'visit' && (
        <FormModal<{
          entityId: number;
          visitedOn: dayjs.Dayjs;
          visitorName: string;
          learned: string;
          problems?: { line: string; content: string }[];
        }>
          title="登记走访"
          onClose={() => setAdding(null)}
          initialValues={{ visitorName: me!.displayName, visitedOn: today() }}
          onSubmit={async (v) => {
            await call(createVisit, {
              body: {
                entityId: v.entityId,
                visitedOn: ymd(v.visitedOn)!,
                visitorName: v.visitorName,
                learned: v.learned,
                problems: v.problems ?? [],
              },
            });
            setAdding(null);
            void visits.reload();
          }}
        >
          <Form.Item name="entityId" label="市场主体" rules={[{ required: true, message: '请选择市场主体' }]}>
            <SearchSelect<EntityRow>
              path="/entities"
              placeholder="输入名称查找"
              toOption={(e) => ({ value: e.id, label: e.name })}
            />
          </Form.Item>
          <Form.Item name="visitedOn" label="走访日期" rules={[{ required: true, message: '请选择日期' }]}>
            <DateField disabledDate={isFuture} style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="visitorName" label="走访人" rules={[{ required: true, message: '请填写走访人' }]}>
            <Input maxLength={40} />
          </Form.Item>
          <Form.Item name="learned" label="了解到的情况" rules={[{ required: true, message: '请填写了解到的情况' }]}>
            <Input.TextArea rows={3} maxLength={2000} />
          </Form.Item>
          <Form.List name="problems">
            {(fields, { add, remove }) => (
              <>
                {fields.map((field) => (
                  <Space key={field.key} align="start" style={{ display: 'flex' }}>
                    <Form.Item name={[field.name, 'line']} rules={[{ required: true, message: '请选择业务条线' }]}>
                      <Select
                        placeholder="业务条线"
                        style={{ width: 120 }}
                        options={lines.entries.map((e) => ({ value: e.code, label: e.label }))}
                      />
                    </Form.Item>
                    <Form.Item
                      name={[field.name, 'content']}
                      rules={[{ required: true, min: 5, message: '请具体说明（至少 5 个字）' }]}
                      style={{ flex: 1 }}
                    >
                      <Input placeholder="问题或诉求" maxLength={1000} />
                    </Form.Item>
                    <MinusCircleOutlined onClick={() => remove(field.name)} style={{ marginTop: 8 }} />
                  </Space>
                ))}
                <Button type="dashed" block icon={<PlusOutlined />} onClick={() => add()}>
                  发现的问题（按业务条线转办）
                </Button>
              </>
            )}
          </Form.List>
        </FormModal>
      )}
    </Space>
  );
}

function Posts() {
  const { can, me } = useAuth();
  const list = usePaged(listServicePosts, {});
  const [adding, setAdding] = useState(false);
  return (
    <Card
      size="small"
      title="骑手驿站（公开在诉求页，骑手可选择）"
      extra={
        can('data.write') && (
          <Button icon={<PlusOutlined />} onClick={() => setAdding(true)}>
            登记驿站
          </Button>
        )
      }
    >
      <ListTable<ServicePostRow>
        error={list.error}
        onRetry={list.reload}
        rowKey="id"
        size="small"
        loading={list.loading}
        dataSource={list.items}
        pagination={list.pagination}
        scroll={{ x: 600 }}
        columns={[
          { title: '名称', dataIndex: 'name' },
          { title: '所在', dataIndex: 'areaName', width: 110 },
          { title: '地址', dataIndex: 'address' },
          { title: '开放时间', dataIndex: 'openingHours', width: 120 },
          {
            title: '服务',
            dataIndex: 'offers',
            render: (o: string[]) => o.map((x) => <Tag key={x}>{OFFER_LABEL[x as keyof typeof OFFER_LABEL] ?? x}</Tag>),
          },
          {
            title: '开放',
            dataIndex: 'active',
            width: 70,
            render: (a: boolean, p) => (
              <Switch
                size="small"
                checked={a}
                disabled={!can('data.write')}
                onChange={(v) =>
                  void call(updateServicePost, { params: { id: p.id }, body: { active: v } }).then(list.reload)
                }
              />
            ),
          },
        ]}
      />
      {adding && (
        <FormModal<BodyOf<typeof createServicePost>>
          title="登记骑手驿站"
          onClose={() => setAdding(false)}
          onSubmit={async (v) => {
            await call(createServicePost, { body: v });
            setAdding(false);
            void list.reload();
          }}
        >
          <Form.Item name="name" label="名称" rules={[{ required: true, message: '请填写驿站名称' }]}>
            <Input maxLength={60} />
          </Form.Item>
          <Form.Item
            name="jurisdictionCode"
            label="所在县（区）或基层所"
            rules={[{ required: true, message: '请选择所在县（区）或基层所' }]}
          >
            <JurisdictionPicker root={me!.jurisdiction.code} placeholder="选择" />
          </Form.Item>
          <Form.Item name="address" label="地址" rules={[{ required: true, message: '请填写地址' }]}>
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item name="openingHours" label="开放时间" rules={[{ required: true, message: '请填写开放时间' }]}>
            <Input maxLength={100} placeholder="如 08:00-22:00" />
          </Form.Item>
          <Form.Item name="offers" label="提供的服务">
            <Checkbox.Group options={toOptions(OFFER_LABEL)} />
          </Form.Item>
        </FormModal>
      )}
    </Card>
  );
}

function Figures() {
  const { me } = useAuth();
  // A unit account's figures are of its own cases: no jurisdictions to pick or compare.
  const unit = me?.roles.some((r) => r.code === 'unit_staff') ?? false;
  const [under, setUnder] = useState<string | undefined>();
  const [data, setData] = useState<AppealFigures | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = (code?: string) => {
    setUnder(code);
    setError(null);
    void call(appealFigures, { query: { under: code } }).then(setData, (e) => setError(String(e.message ?? e)));
  };
  useEffect(() => load(undefined), []);
  const h = durationText;
  const children = data?.children.filter((c) => c.total > 0) ?? [];
  const categories = Object.entries(data?.byCategory ?? {}).sort((a, b) => b[1] - a[1]);
  return (
    <Card size="small">
      {unit ? (
        <Typography.Paragraph type="secondary">本单位承办的诉求的数字。</Typography.Paragraph>
      ) : (
        <div style={{ width: 220, marginBottom: 12 }}>
          <JurisdictionPicker root={me!.jurisdiction.code} value={under} onChange={load} placeholder="辖区" />
        </div>
      )}
      {error && <Alert type="error" title={error} />}
      {data && (
        <>
          <Descriptions
            size="small"
            bordered
            column={{ xs: 1, sm: 2, md: 4 }}
            items={[
              { label: '诉求总数', children: data.total.total },
              { label: '在办', children: data.total.open },
              { label: '超时', children: data.total.overdue },
              { label: '督办中', children: data.total.escalated },
              {
                label: '满意度',
                children:
                  data.total.satisfaction == null ? '—' : `${data.total.satisfaction}（${data.total.rated} 人评价）`,
              },
              // An account that reads no visits (a unit's) gets none back: no 0 that is not true.
              ...(data.total.visits === null
                ? []
                : [
                    { label: '走访次数', children: data.total.visits },
                    { label: '走访主体', children: data.total.entitiesVisited },
                  ]),
              ...Object.entries(data.byDoor).map(([k, n]) => ({
                label: DOOR_LABEL[k as keyof typeof DOOR_LABEL] ?? k,
                children: n,
              })),
              ...data.steps.map((s) => ({
                label: `${s.label}用时（中位 / 90%）`,
                children: `${h(s.p50Hours)} / ${h(s.p90Hours)}`,
              })),
            ]}
          />
          {!unit && data.children.length > 0 && (
            <ChildrenTable
              rows={data.children}
              onDrill={load}
              nameTitle="下级"
              scrollX={700}
              columns={[
                { title: '诉求', dataIndex: 'total' },
                { title: '在办', dataIndex: 'open' },
                { title: '超时', dataIndex: 'overdue' },
                { title: '骑手', dataIndex: 'rider' },
                { title: '走访问题', dataIndex: 'visit' },
                { title: '牌匾', dataIndex: 'plaque' },
                { title: '满意度', dataIndex: 'satisfaction', render: (v: number | null) => v ?? '—' },
                ...(data.total.visits === null
                  ? []
                  : [
                      { title: '走访', dataIndex: 'visits' },
                      { title: '走访主体', dataIndex: 'entitiesVisited' },
                    ]),
              ]}
            />
          )}
          {data.total.total === 0 ? (
            <Typography.Paragraph type="secondary" style={{ marginTop: 12 }}>
              {unit ? '本单位还没有承办的诉求。' : `${data.node.name}还没有诉求和走访问题。`}
            </Typography.Paragraph>
          ) : (
            <Space direction="vertical" style={{ width: '100%', marginTop: 12 }}>
              {!unit && children.length > 0 && (
                <>
                  <Typography.Text strong>按下级（点击查看该辖区）</Typography.Text>
                  <AreaBars
                    names={children.map((c) => c.name)}
                    stack
                    onClick={(i) => load(children[i].code)}
                    series={[
                      { name: '在办', color: '#1677ff', values: children.map((c) => c.open - c.overdue) },
                      { name: '超时', color: '#c62828', values: children.map((c) => c.overdue) },
                      { name: '已办结', color: '#bbb', values: children.map((c) => c.total - c.open) },
                    ]}
                  />
                </>
              )}
              <Typography.Text strong>按类别</Typography.Text>
              <AreaBars
                names={categories.map(([k]) => data.categoryLabels[k] ?? k)}
                series={[{ name: '诉求', color: '#f0a020', values: categories.map(([, n]) => n) }]}
              />
            </Space>
          )}
        </>
      )}
    </Card>
  );
}
