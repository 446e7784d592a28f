import { useEffect, useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Descriptions,
  Drawer,
  Form,
  Input,
  InputNumber,
  Select,
  Space,
  Table,
  Tabs,
  Tag,
} from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { Link } from 'react-router-dom';
import dayjs from 'dayjs';
import type { BodyOf, ItemOf, ResponseOf } from '@server/http/contract';
import {
  addParticipant,
  assistanceFigures,
  createProgram,
  exportPrograms,
  getProgram,
  listPrograms,
  recordOutcome,
  type ProgramDetail,
} from '@server/features/assistance/contract';
import { call, withQuery } from '../api';
import { useAuth } from '../auth';
import { PageTitle } from '../Layout';
import { ListOrCards } from '../components/ListOrCards';
import { usePaged } from '../components/usePaged';
import { CancelledMark, CancelWorkButton } from '../components/CancelWork';
import { applyProblem } from '../components/problem';
import { JurisdictionPicker } from '../components/JurisdictionPicker';
import { FormModal } from '../components/FormModal';
import { SearchSelect } from '../components/SearchSelect';
import { AreaBars } from '../components/AreaBars';
import { Section } from '../components/Section';
import { drawerSize } from '../components/drawer';
import { isFuture, toOptions, ymd, today } from '../components/format';
import { OUTCOME_LABEL } from '../components/labels';
import { filtered, useFilters, useOpenParam, useRecord, useReloadOn } from '../components/hooks';
import { useDictionary } from '../components/useDictionary';
import { zodRule } from '../components/zodRule';
import { ChildrenTable } from '../components/ChildrenTable';
import { Loaded } from '../components/Loading';
import { DownloadButton } from '../components/DownloadButton';

type ProgramRow = ItemOf<typeof listPrograms>;
type Detail = ProgramDetail;
type Participant = Detail['participants'][number];
type FigureRow = ResponseOf<typeof assistanceFigures>['children'][number];

const OUTCOME_COLOR: Record<string, string> = {
  resolved: 'green',
  improved: 'blue',
  unresolved: 'red',
  ongoing: 'orange',
};

/** 帮扶: programs by business line and period, the entities taking part, what was done and the outcome; figures by area. */
export default function Assistance() {
  const { can } = useAuth();
  const [open, setOpen] = useOpenParam();
  const [creating, setCreating] = useState(false);
  const [version, setVersion] = useState(0);
  return (
    <div>
      <PageTitle
        title="帮扶"
        extra={
          can('data.write') && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
              新建帮扶项目
            </Button>
          )
        }
      />
      <Tabs
        items={[
          { key: 'programs', label: '帮扶项目', children: <Programs onOpen={setOpen} version={version} /> },
          { key: 'figures', label: '按辖区统计', children: <FiguresByArea /> },
        ]}
      />
      {open && <ProgramDrawer id={open} onClose={() => setOpen(null)} onChanged={() => setVersion((v) => v + 1)} />}
      {creating && (
        <ProgramForm
          onClose={() => setCreating(false)}
          onSaved={(id) => {
            setCreating(false);
            setVersion((v) => v + 1);
            setOpen(id);
          }}
        />
      )}
    </div>
  );
}

function Programs({ onOpen, version }: { onOpen: (id: number) => void; version: number }) {
  const { me } = useAuth();
  const lines = useDictionary('business_line');
  const { f, set } = useFilters();
  const list = usePaged(listPrograms, f);
  useReloadOn(version, list.reload);
  return (
    <Card size="small">
      <Space wrap style={{ marginBottom: 12 }}>
        <Input.Search placeholder="项目名称" allowClear onSearch={set('q')} style={{ width: 180 }} />
        <div style={{ width: 200 }}>
          <JurisdictionPicker root={me!.jurisdiction.code} value={f.under} onChange={set('under')} placeholder="辖区" />
        </div>
        <Select
          allowClear
          placeholder="业务条线"
          style={{ width: 140 }}
          onChange={set('line')}
          options={lines.entries.map((e) => ({ value: e.code, label: e.label }))}
        />
        <InputNumber
          placeholder="年度"
          min={2000}
          max={2100}
          style={{ width: 100 }}
          onChange={(v) => set('year')(v ? String(v) : undefined)}
        />
        <DownloadButton href={withQuery(`/api/v1${exportPrograms.path}`, f)}>导出 Excel</DownloadButton>
      </Space>
      <ListOrCards<ProgramRow>
        error={list.error}
        onRetry={list.reload}
        rowKey="id"
        size="middle"
        loading={list.loading}
        dataSource={list.items}
        pagination={list.pagination}
        scroll={{ x: 1000 }}
        onOpen={(p) => onOpen(p.id)}
        card={(p) => ({
          title: p.name,
          status: p.cancelled ? <Tag>已撤销</Tag> : <Tag>{p.businessLineLabel}</Tag>,
          due: { label: '期间', value: `${p.startsOn} — ${p.endsOn}` },
          lines: [`${p.organizer} · 参与主体 ${p.entities}`, <Outcomes key="o" p={p} />],
        })}
        locale={{
          emptyText: filtered(f)
            ? '没有符合条件的帮扶项目。'
            : '还没有帮扶项目。如质量技术帮扶"提质强企"、计量服务中小企业行，点击"新建帮扶项目"。',
        }}
        columns={[
          {
            title: '帮扶项目',
            dataIndex: 'name',
            width: 240,
            fixed: 'left',
            render: (n: string, p) =>
              p.cancelled ? (
                <>
                  {n} <Tag>已撤销</Tag>
                </>
              ) : (
                n
              ),
          },
          { title: '业务条线', dataIndex: 'businessLineLabel', width: 100 },
          { title: '期间', key: 'p', width: 200, render: (_, p) => `${p.startsOn} — ${p.endsOn}` },
          { title: '组织单位', dataIndex: 'organizer', width: 120 },
          { title: '参与主体', dataIndex: 'entities', width: 90, align: 'right' },
          {
            title: '成效',
            key: 'o',
            render: (_, p) => <Outcomes p={p} />,
          },
        ]}
      />
    </Card>
  );
}

/** The program form: the route's body, the period as the range picker holds it. */
type NewProgram = Omit<BodyOf<typeof createProgram>, 'startsOn' | 'endsOn' | 'jurisdictionCode'> & {
  period: [dayjs.Dayjs, dayjs.Dayjs];
};
const programField = createProgram.body.shape;

/** A programme's outcomes so far, one tag a kind that has any. */
function Outcomes({ p }: { p: ProgramRow }) {
  return (
    <Space size={4} wrap>
      {(['resolved', 'improved', 'unresolved', 'ongoing'] as const)
        .filter((k) => p[k])
        .map((k) => (
          <Tag key={k} color={OUTCOME_COLOR[k]}>
            {OUTCOME_LABEL[k]} {p[k]}
          </Tag>
        ))}
    </Space>
  );
}

function ProgramForm({ onClose, onSaved }: { onClose: () => void; onSaved: (id: number) => void }) {
  const { message } = App.useApp();
  const lines = useDictionary('business_line');
  return (
    <FormModal<NewProgram>
      title="新建帮扶项目"
      okText="保存"
      onClose={onClose}
      onSubmit={async (v) => {
        const r = await call(createProgram, {
          body: {
            name: v.name,
            businessLine: v.businessLine,
            startsOn: ymd(v.period[0])!,
            endsOn: ymd(v.period[1])!,
            description: v.description || undefined,
          },
        });
        message.success(`已新建：${v.name}`);
        onSaved(r.id);
      }}
    >
      <Form.Item
        name="name"
        label="项目名称"
        rules={[{ required: true, message: '请填写项目名称' }, zodRule(programField.name)]}
      >
        <Input maxLength={60} placeholder='如：质量技术帮扶"提质强企"' />
      </Form.Item>
      <Form.Item name="businessLine" label="业务条线" rules={[{ required: true, message: '请选择业务条线' }]}>
        <Select options={lines.entries.map((e) => ({ value: e.code, label: e.label }))} />
      </Form.Item>
      <Form.Item name="period" label="期间" rules={[{ required: true, message: '请选择起止日期' }]}>
        <DatePicker.RangePicker />
      </Form.Item>
      <Form.Item name="description" label="内容说明" rules={[zodRule(programField.description)]}>
        <Input.TextArea rows={3} maxLength={2000} />
      </Form.Item>
    </FormModal>
  );
}

type Acting = 'add' | { outcome: Participant };

function ProgramDrawer({ id, onClose, onChanged }: { id: number; onClose: () => void; onChanged: () => void }) {
  const { can } = useAuth();
  const { d, error, load, acting, setActing, done } = useRecord<typeof getProgram, Acting>(
    getProgram,
    { id },
    onChanged,
  );
  const write = can('data.write');
  return (
    <Drawer open size={drawerSize()} onClose={onClose} title={d?.name ?? '帮扶项目'}>
      <Loaded data={d} error={error}>
        {(d) => (
          <>
            <Descriptions
              size="small"
              column={2}
              items={[
                { label: '业务条线', children: d.businessLineLabel },
                { label: '期间', children: `${d.startsOn} — ${d.endsOn}` },
                { label: '组织单位', children: d.organizer },
                { label: '参与主体', children: d.entities },
                { label: '内容说明', children: d.description ?? '—', span: 2 },
                {
                  label: '状态',
                  span: 2,
                  children: d.cancelled ? (
                    <CancelledMark reason={d.cancelReason} />
                  ) : write && d.mine ? (
                    <CancelWorkButton
                      path={`/assistance/programs/${id}/cancel`}
                      what="帮扶项目"
                      onDone={() => {
                        void load();
                        onChanged();
                      }}
                    />
                  ) : (
                    '进行中'
                  ),
                },
              ]}
            />
            <Section
              title="本辖区参与主体"
              extra={
                write && (
                  <Button size="small" icon={<PlusOutlined />} onClick={() => setActing('add')}>
                    登记参与主体
                  </Button>
                )
              }
            >
              <Table<Participant>
                rowKey="id"
                size="small"
                pagination={false}
                dataSource={d.participants}
                scroll={{ x: 800 }}
                locale={{ emptyText: '本辖区还没有主体参与该项目。点击"登记参与主体"添加。' }}
                columns={[
                  {
                    title: '市场主体',
                    dataIndex: 'entityName',
                    width: 180,
                    render: (n: string, p) => <Link to={`/entities/${p.entityId}`}>{n}</Link>,
                  },
                  { title: '存在问题', dataIndex: 'problem', render: (v) => v ?? '—' },
                  {
                    title: '帮扶措施',
                    dataIndex: 'actions',
                    render: (v) => v ?? <span style={{ color: '#bbb' }}>待填写</span>,
                  },
                  {
                    title: '成效',
                    dataIndex: 'outcomeLabel',
                    width: 100,
                    render: (v: string, p) => <Tag color={OUTCOME_COLOR[p.outcome]}>{v}</Tag>,
                  },
                  ...(write
                    ? [
                        {
                          title: '',
                          key: 'a',
                          width: 90,
                          render: (_: unknown, p: Participant) => (
                            <a onClick={() => setActing({ outcome: p })}>记录成效</a>
                          ),
                        },
                      ]
                    : []),
                ]}
              />
            </Section>
            {acting === 'add' && (
              <FormModal<{ entityId: number; joinedOn: dayjs.Dayjs; problem?: string }>
                title="登记参与主体"
                okText="保存"
                onClose={() => setActing(null)}
                initialValues={{ joinedOn: today() }}
                onSubmit={async (v) => {
                  await call(addParticipant, {
                    params: { id },
                    body: { entityId: v.entityId, joinedOn: ymd(v.joinedOn), problem: v.problem || undefined },
                  });
                  done('已登记');
                }}
              >
                <Form.Item name="entityId" label="市场主体" rules={[{ required: true, message: '请选择市场主体' }]}>
                  <SearchSelect<{ id: number; name: string }>
                    path="/entities"
                    placeholder="输入名称查找"
                    toOption={(e) => ({ value: e.id, label: e.name })}
                  />
                </Form.Item>
                <Form.Item name="joinedOn" label="参与日期">
                  <DatePicker disabledDate={isFuture} />
                </Form.Item>
                <Form.Item name="problem" label="存在的问题或需求">
                  <Input.TextArea rows={2} maxLength={2000} />
                </Form.Item>
              </FormModal>
            )}
            {acting && typeof acting === 'object' && (
              <FormModal<{ actions?: string; outcome: BodyOf<typeof recordOutcome>['outcome']; outcomeNote?: string }>
                title={`帮扶措施与成效：${acting.outcome.entityName}`}
                okText="保存"
                onClose={() => setActing(null)}
                initialValues={{
                  actions: acting.outcome.actions ?? undefined,
                  outcome: acting.outcome.outcome,
                  outcomeNote: acting.outcome.outcomeNote ?? undefined,
                }}
                onSubmit={async (v) => {
                  await call(recordOutcome, {
                    params: { id, key: acting.outcome.id },
                    body: { actions: v.actions || null, outcome: v.outcome, outcomeNote: v.outcomeNote || null },
                  });
                  done('已保存');
                }}
              >
                <Form.Item name="actions" label="帮扶措施（做了什么）">
                  <Input.TextArea rows={3} maxLength={2000} />
                </Form.Item>
                <Form.Item name="outcome" label="成效">
                  <Select options={toOptions(OUTCOME_LABEL)} />
                </Form.Item>
                <Form.Item name="outcomeNote" label="成效说明">
                  <Input.TextArea rows={2} maxLength={2000} />
                </Form.Item>
              </FormModal>
            )}
          </>
        )}
      </Loaded>
    </Drawer>
  );
}

function FiguresByArea() {
  const { me } = useAuth();
  const [under, setUnder] = useState<string | undefined>();
  const [year, setYear] = useState<number | undefined>();
  const [data, setData] = useState<ResponseOf<typeof assistanceFigures> | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(
    () =>
      void call(assistanceFigures, { query: { under, year } }).then(setData, (e) => setError(applyProblem(null, e))),
    [under, year],
  );
  return (
    <Card
      size="small"
      title={
        data
          ? `${data.node.name}：帮扶项目 ${data.total.programs} 个，参与主体 ${data.total.entities} 户，问题已解决 ${data.total.resolved} 户，有所改善 ${data.total.improved} 户`
          : '按辖区统计'
      }
      extra={
        <Space>
          <InputNumber placeholder="年度" min={2000} max={2100} onChange={(v) => setYear(v ?? undefined)} />
          <div style={{ width: 220 }}>
            <JurisdictionPicker
              root={me!.jurisdiction.code}
              value={under}
              onChange={setUnder}
              placeholder="选择辖区（默认本辖区）"
            />
          </div>
        </Space>
      }
    >
      {error && <Alert type="error" title={error} />}
      {data && data.children.some((c) => c.entities > 0) && (
        <AreaBars
          names={data.children.map((c) => c.name)}
          onClick={(i) => setUnder(data.children[i].code)}
          series={[
            { name: '问题已解决', color: '#52c41a', values: data.children.map((c) => c.resolved) },
            { name: '有所改善', color: '#1677ff', values: data.children.map((c) => c.improved) },
            { name: '帮扶中', color: '#fa8c16', values: data.children.map((c) => c.ongoing) },
          ]}
        />
      )}
      <ChildrenTable<FigureRow>
        rows={data?.children ?? []}
        onDrill={setUnder}
        columns={[
          { title: '本级组织的项目', dataIndex: 'programs', align: 'right' },
          { title: '参与主体', dataIndex: 'entities', align: 'right' },
          { title: '问题已解决', dataIndex: 'resolved', align: 'right' },
          { title: '有所改善', dataIndex: 'improved', align: 'right' },
          { title: '未解决', dataIndex: 'unresolved', align: 'right' },
          { title: '帮扶中', dataIndex: 'ongoing', align: 'right' },
        ]}
      />
    </Card>
  );
}
