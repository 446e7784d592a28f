import { ListOrCards, ListTable } from '../components/ListOrCards';
import { lazy, useCallback, useEffect, useMemo, useState } from 'react';
import {
  Alert,
  App,
  Badge,
  Button,
  Card,
  Col,
  DatePicker,
  Form,
  Input,
  Radio,
  Row,
  Select,
  Space,
  Statistic,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { Route, Routes, useSearchParams } from 'react-router-dom';
import dayjs from 'dayjs';
import { call, withQuery } from '../api';
import type { BodyOf } from '@server/http/contract';
import {
  createRecord,
  handleFeedback,
  listFeedback,
  listRecords,
  participation,
  type FeedbackRow,
  type Participation as ParticipationData,
  type SanliangRow,
} from '@server/features/sanliang/contract';
import type { Member } from '@server/features/members/contract';
import { useAuth } from '../auth';
import { PageTitle } from '../Layout';
import { usePaged } from '../components/usePaged';
import { applyProblem } from '../components/problem';
import { JurisdictionPicker } from '../components/JurisdictionPicker';
import { SearchSelect } from '../components/SearchSelect';
import { FormModal } from '../components/FormModal';
import { EChart } from '../components/EChart';
import { AreaBars } from '../components/AreaBars';
import { toOptions, ymd, when, today } from '../components/format';
import { zodRule } from '../components/zodRule';
import {
  FEEDBACK_CATEGORY_LABEL,
  FEEDBACK_STATE_LABEL,
  RECORD_STATUS_LABEL,
  SANLIANG_KIND_LABEL,
} from '@domain/sanliang/plaque';
import { SanliangDrawer } from './SanliangDrawer';
import type { EntityRow } from './Entities';
import { filtered, useAddressFilters, useFilters, useOpenParam } from '../components/hooks';
import { DownloadButton } from '../components/DownloadButton';

const PlaquePrint = lazy(() => import('./PlaquePrint'));

/** 三亮: the ledger, the public's reports for the station, and participation figures; plus the plaque print page. */
export default function Sanliang() {
  return (
    <Routes>
      <Route path="print/:plaqueId" element={<PlaquePrint />} />
      <Route path="*" element={<SanliangHome />} />
    </Routes>
  );
}

function SanliangHome() {
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'list';
  const [openCount, setOpenCount] = useState<number | null>(null);
  useEffect(
    () =>
      void call(listFeedback, { query: { state: 'open', pageSize: 1 } }).then(
        (r) => setOpenCount(r.total),
        () => setOpenCount(null),
      ),
    [],
  );
  return (
    <div>
      <PageTitle title="三亮（亮身份、亮职责、亮承诺）" />
      <Tabs
        activeKey={tab}
        onChange={(k) => setParams({ tab: k })}
        destroyOnHidden
        items={[
          { key: 'list', label: '三亮台账', children: <Ledger /> },
          {
            key: 'feedback',
            label: (
              <Badge count={openCount ?? 0} size="small" offset={[8, -2]}>
                群众反映
              </Badge>
            ),
            children: <FeedbackList onChanged={(n) => setOpenCount(n)} />,
          },
          { key: 'participation', label: '参与情况', children: <Participation /> },
        ]}
      />
    </div>
  );
}

function Ledger() {
  const { me, can } = useAuth();
  const [open, setOpen] = useOpenParam();
  // The dashboard's 三亮 figures pass the sub-jurisdiction clicked and what they count (?under=&status=active,
  // ?plaque=valid), so the list agrees with the figure.
  const { f, set } = useAddressFilters(['under', 'status', 'plaque']);
  const list = usePaged(listRecords, f);
  const [creating, setCreating] = useState(false);
  return (
    <Card size="small">
      <Space wrap style={{ marginBottom: 12 }}>
        <Input.Search placeholder="市场主体或党员姓名" allowClear onSearch={set('q')} style={{ width: 200 }} />
        <div style={{ width: 200 }} data-testid="sanliang-under">
          <JurisdictionPicker root={me!.jurisdiction.code} value={f.under} onChange={set('under')} placeholder="辖区" />
        </div>
        <Select
          allowClear
          placeholder="类别"
          style={{ width: 150 }}
          onChange={set('kind')}
          options={toOptions(SANLIANG_KIND_LABEL)}
        />
        <Select
          allowClear
          placeholder="状态"
          style={{ width: 110 }}
          value={f.status}
          onChange={set('status')}
          options={toOptions(RECORD_STATUS_LABEL)}
        />
        <Select
          allowClear
          placeholder="牌匾"
          style={{ width: 120 }}
          value={f.plaque}
          onChange={set('plaque')}
          options={[
            { value: 'valid', label: '有有效牌匾' },
            { value: 'none', label: '未发牌' },
          ]}
        />
        <Select
          allowClear
          placeholder="复核"
          style={{ width: 170 }}
          onChange={set('review')}
          options={[{ value: 'true', label: '待复核（主体已不在营业）' }]}
        />
        <DownloadButton href={withQuery('/api/v1/sanliang/export', f)}>导出 Excel</DownloadButton>
        {can('data.write') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            新建三亮记录
          </Button>
        )}
      </Space>
      <ListOrCards<SanliangRow>
        error={list.error}
        onRetry={list.reload}
        rowKey="id"
        size="middle"
        loading={list.loading}
        dataSource={list.items}
        pagination={list.pagination}
        scroll={{ x: 1000 }}
        onOpen={(s) => setOpen(s.id)}
        // On a phone a card: the status, 待复核 and a suspended plaque were in columns scrolled out of sight.
        card={(s) => ({
          title: s.entityName,
          status: (
            <Space size={2} wrap style={{ justifyContent: 'flex-end' }}>
              <Tag color={s.status === 'active' ? 'red' : 'default'}>{s.statusLabel}</Tag>
              {s.needsReview && <Tag color="orange">待复核</Tag>}
            </Space>
          ),
          due: { label: '亮牌日期', value: s.shownOn },
          lines: [
            `${s.memberName ?? '（名册不在本辖区）'} · ${s.kindLabel}${s.postName ? `（${s.postName}）` : ''}`,
            s.plaque ? (
              <Space size={4} wrap>
                牌匾 {s.plaque.number}
                {s.plaque.suspended && <Tag color="orange">暂停公示</Tag>}
              </Space>
            ) : (
              '未发牌'
            ),
            ...(s.openFeedback ? [`待处理反映 ${s.openFeedback} 条`] : []),
          ],
        })}
        locale={{
          emptyText: filtered(f)
            ? '没有符合条件的三亮记录。'
            : can('data.write')
              ? '还没有三亮记录。点击"新建三亮记录"，选择党员和所在市场主体即可登记，登记后可发放牌匾。'
              : '没有符合条件的三亮记录。',
        }}
        columns={[
          {
            title: '市场主体 / 党员',
            key: 'who',
            width: 260,
            fixed: 'left',
            render: (_, s) => (
              <Space size={4} wrap>
                {s.entityName}
                <Typography.Text type="secondary">{s.memberName ?? '（名册不在本辖区）'}</Typography.Text>
              </Space>
            ),
          },
          {
            title: '类别',
            dataIndex: 'kindLabel',
            width: 130,
            render: (v: string, s) => `${v}${s.postName ? `（${s.postName}）` : ''}`,
          },
          {
            title: '县区 / 基层所',
            key: 'place',
            width: 170,
            render: (_, s) => `${s.countyName}${s.stationName ? ` / ${s.stationName}` : ''}`,
          },
          { title: '亮牌日期', dataIndex: 'shownOn', width: 105 },
          {
            title: '状态',
            dataIndex: 'status',
            width: 110,
            render: (v: string, s) => (
              <Space size={4} wrap>
                <Tag color={v === 'active' ? 'red' : 'default'}>{s.statusLabel}</Tag>
                {s.needsReview && <Tag color="orange">待复核</Tag>}
              </Space>
            ),
          },
          {
            title: '牌匾',
            key: 'plaque',
            width: 190,
            render: (_, s) =>
              s.plaque ? (
                <Space size={4} wrap>
                  <Typography.Text copyable>{s.plaque.number}</Typography.Text>
                  {s.plaque.suspended && <Tag color="orange">暂停公示</Tag>}
                </Space>
              ) : (
                <span style={{ color: '#bbb' }}>未发牌</span>
              ),
          },
          {
            title: '待处理反映',
            dataIndex: 'openFeedback',
            width: 90,
            align: 'right',
            render: (n: number) => (n ? <Badge count={n} /> : '—'),
          },
        ]}
      />
      {open && <SanliangDrawer id={open} onClose={() => setOpen(null)} onChanged={() => void list.reload()} />}
      {creating && (
        <RecordForm
          root={me!.jurisdiction.code}
          onClose={() => setCreating(false)}
          onSaved={(id) => {
            setCreating(false);
            void list.reload();
            setOpen(id);
          }}
        />
      )}
    </Card>
  );
}

/** The record form: the route's body, the date as the picker holds it. */
type NewRecord = Omit<BodyOf<typeof createRecord>, 'shownOn'> & { shownOn: dayjs.Dayjs };
const recordField = createRecord.body.shape;

/** The usual wording, so a clerk edits rather than writes from nothing (五好 and an integrity pledge). */
const DUTIES = '守法经营好、诚信服务好、公平价格好、经营业绩好、群众口碑好（"五好"），亮明党员身份，带头接受群众监督。';
const COMMITMENT =
  '本人郑重承诺：亮明身份、守法经营、诚实守信、明码标价、不售假冒伪劣商品，主动接受群众和市场监管部门监督。';

function RecordForm({ root, onClose, onSaved }: { root: string; onClose: () => void; onSaved: (id: number) => void }) {
  const { message } = App.useApp();
  const submit = async (v: NewRecord) => {
    const r = await call(createRecord, {
      body: {
        kind: v.kind,
        memberId: v.memberId,
        entityId: v.entityId,
        postName: v.postName || undefined,
        duties: v.duties,
        commitment: v.commitment,
        shownOn: ymd(v.shownOn)!,
      },
    });
    message.success('已登记三亮记录，可在详情中发放牌匾');
    onSaved(r.id);
  };
  return (
    <FormModal<NewRecord>
      title="新建三亮记录"
      okText="保存"
      onClose={onClose}
      onSubmit={submit}
      initialValues={{ kind: 'member_operator', duties: DUTIES, commitment: COMMITMENT, shownOn: today() }}
    >
      <Form.Item name="kind" label="类别">
        <Radio.Group optionType="button" options={toOptions(SANLIANG_KIND_LABEL)} />
      </Form.Item>
      <Form.Item name="memberId" label="党员" rules={[{ required: true, message: '请选择党员' }]}>
        <SearchSelect<Member>
          path="/members"
          placeholder="输入姓名查找党员"
          toOption={(m) => ({
            value: m.id,
            label: `${m.name}${m.birthDate ? `（${m.birthDate.slice(0, 4)} 年生）` : ''}${m.entities.length ? ` · ${m.entities[0]}` : ''}`,
          })}
        />
      </Form.Item>
      <Form.Item name="entityId" label="市场主体" rules={[{ required: true, message: '请选择市场主体' }]}>
        <SearchSelect<EntityRow>
          path="/entities"
          query={{ under: root }}
          placeholder="输入名称查找"
          toOption={(e) => ({ value: e.id, label: `${e.name}${e.stationName ? ` · ${e.stationName}` : ''}` })}
        />
      </Form.Item>
      <Form.Item noStyle dependencies={['kind']}>
        {({ getFieldValue }) =>
          getFieldValue('kind') === 'member_post' && (
            <Form.Item
              name="postName"
              label="岗位名称"
              rules={[{ required: true, message: '请填写岗位名称' }, zodRule(recordField.postName)]}
            >
              <Input maxLength={40} placeholder="如 收银台、售后服务岗" />
            </Form.Item>
          )
        }
      </Form.Item>
      <Form.Item
        name="duties"
        label="亮职责"
        rules={[{ required: true, message: '请填写亮职责的内容' }, zodRule(recordField.duties)]}
      >
        <Input.TextArea rows={3} maxLength={500} showCount />
      </Form.Item>
      <Form.Item
        name="commitment"
        label="亮承诺"
        rules={[{ required: true, message: '请填写承诺内容' }, zodRule(recordField.commitment)]}
      >
        <Input.TextArea rows={3} maxLength={1000} showCount />
      </Form.Item>
      <Form.Item name="shownOn" label="亮牌日期" rules={[{ required: true, message: '请选择日期' }]}>
        <DatePicker />
      </Form.Item>
    </FormModal>
  );
}

type Feedback = FeedbackRow;

function FeedbackList({ onChanged }: { onChanged: (open: number) => void }) {
  const { me, can } = useAuth();
  const { message } = App.useApp();
  const { f, set } = useFilters({ state: 'open' });
  const list = usePaged(listFeedback, f);
  const [handling, setHandling] = useState<Feedback | null>(null);
  const [, setParams] = useSearchParams();
  const handled = useCallback(async () => {
    setHandling(null);
    message.success('已记录处理情况');
    await list.reload();
    onChanged((await call(listFeedback, { query: { state: 'open', pageSize: 1 } })).total);
  }, [list, message, onChanged]);
  return (
    <Card size="small">
      <Typography.Paragraph type="secondary">
        群众扫描牌匾二维码后可反映问题，反映按牌匾所在基层所分派到这里，处理后记录处理情况。
      </Typography.Paragraph>
      <Space wrap style={{ marginBottom: 12 }}>
        <Select
          allowClear
          placeholder="状态"
          value={f.state}
          style={{ width: 110 }}
          onChange={set('state')}
          options={toOptions(FEEDBACK_STATE_LABEL)}
        />
        <Select
          allowClear
          placeholder="问题类别"
          style={{ width: 220 }}
          onChange={set('category')}
          options={toOptions(FEEDBACK_CATEGORY_LABEL)}
        />
        <div style={{ width: 200 }}>
          <JurisdictionPicker root={me!.jurisdiction.code} value={f.under} onChange={set('under')} placeholder="辖区" />
        </div>
        <DownloadButton href={withQuery('/api/v1/plaque-feedback/export', f)}>导出 Excel</DownloadButton>
      </Space>
      <ListTable<Feedback>
        error={list.error}
        onRetry={list.reload}
        rowKey="id"
        size="middle"
        loading={list.loading}
        dataSource={list.items}
        pagination={list.pagination}
        scroll={{ x: 900 }}
        locale={{ emptyText: f.state === 'open' ? '没有待处理的反映' : '没有符合条件的反映' }}
        columns={[
          {
            title: '收到时间',
            dataIndex: 'createdAt',
            width: 150,
            render: (v: string) => when(v),
          },
          {
            title: '牌匾 / 市场主体',
            key: 'plaque',
            width: 240,
            render: (_, x) => (
              <Space direction="vertical" size={0}>
                <a onClick={() => setParams({ tab: 'list', open: String(x.recordId) })}>{x.number}</a>
                {x.entityName}
              </Space>
            ),
          },
          {
            title: '问题',
            key: 'what',
            render: (_, x) => (
              <Space direction="vertical" size={0}>
                <Tag>{x.categoryLabel}</Tag>
                {x.content}
                <Typography.Text type="secondary">回执号 {x.receipt}</Typography.Text>
              </Space>
            ),
          },
          {
            title: '状态',
            key: 'state',
            width: 200,
            render: (_, x) =>
              x.state === 'open' ? (
                can('data.write') ? (
                  <Button size="small" type="primary" onClick={() => setHandling(x)}>
                    处理
                  </Button>
                ) : (
                  <Tag color="orange">{x.stateLabel}</Tag>
                )
              ) : (
                <Space direction="vertical" size={0}>
                  <Tag color="green">{x.stateLabel}</Tag>
                  <Typography.Text type="secondary">
                    {x.handlingNote}
                    {x.handledBy ? `（${x.handledBy}）` : ''}
                  </Typography.Text>
                </Space>
              ),
          },
        ]}
      />
      {handling && (
        <FormModal<{ note: string }>
          title={`处理反映：${handling.number}`}
          okText="记录处理情况"
          onClose={() => setHandling(null)}
          onSubmit={async (v) => {
            await call(handleFeedback, { params: { id: handling.id }, body: v });
            await handled();
          }}
        >
          <Typography.Paragraph>{handling.content}</Typography.Paragraph>
          <Form.Item name="note" label="处理情况" rules={[{ required: true, min: 2, message: '请填写处理情况' }]}>
            <Input.TextArea rows={3} maxLength={1000} placeholder="如 已上门核实，经营者已整改" />
          </Form.Item>
        </FormModal>
      )}
    </Card>
  );
}

function Participation() {
  const { me } = useAuth();
  const [under, setUnder] = useState<string | undefined>(undefined);
  const [data, setData] = useState<ParticipationData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback((code?: string) => {
    setUnder(code);
    call(participation, { query: { under: code } }).then(
      (d) => {
        setData(d);
        setError(null);
      },
      (e) => setError(applyProblem(null, e)),
    );
  }, []);
  useEffect(() => load(), [load]);
  const children = data?.children.filter((c) => c.records + c.withdrawn > 0) ?? [];
  const byMonth = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 32, bottom: 24 },
      xAxis: { type: 'category', data: data?.months.map((m) => m.month) ?? [] },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        {
          type: 'bar',
          name: '月末参与党员',
          data: data?.months.map((m) => m.members) ?? [],
          itemStyle: { color: '#c62828' },
        },
        {
          type: 'bar',
          name: '当月发牌',
          data: data?.months.map((m) => m.issued) ?? [],
          itemStyle: { color: '#f0a020' },
        },
        { type: 'bar', name: '当月撤销', data: data?.months.map((m) => m.revoked) ?? [], itemStyle: { color: '#999' } },
      ],
    }),
    [data],
  );
  if (error) return <Alert type="error" showIcon title={error} />;
  if (!data) return <Card loading size="small" />;
  const t = data.total;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Card size="small">
        <Space wrap style={{ marginBottom: 12 }}>
          <div style={{ width: 220 }}>
            <JurisdictionPicker root={me!.jurisdiction.code} value={under} onChange={load} placeholder="辖区" />
          </div>
          <Typography.Text type="secondary">{data.node.name}</Typography.Text>
        </Space>
        <Row gutter={[16, 16]}>
          <Col xs={12} md={4}>
            <Statistic title="参与党员" value={t.members} suffix="人" />
          </Col>
          <Col xs={12} md={4}>
            <Statistic title="共产党员经营户" value={t.memberOperators} suffix="户" />
          </Col>
          <Col xs={12} md={4}>
            <Statistic title="党员示范岗" value={t.memberPosts} suffix="个" />
          </Col>
          <Col xs={12} md={4}>
            <Statistic title="涉及市场主体" value={t.entities} suffix="户" />
          </Col>
          <Col xs={12} md={4}>
            <Statistic title="有效牌匾" value={t.validPlaques} suffix="块" />
          </Col>
          <Col xs={12} md={4}>
            <Statistic title="已退出" value={t.withdrawn} suffix="条" />
          </Col>
        </Row>
      </Card>
      <Card size="small" title="下级对比（参与党员）">
        {children.length === 0 ? (
          <Typography.Text type="secondary">
            {data.children.length ? '下级辖区还没有三亮记录。' : `${data.node.name}没有下级辖区。`}
          </Typography.Text>
        ) : (
          <AreaBars
            names={children.map((c) => c.name)}
            onClick={(i) => load(children[i].code)}
            series={[{ name: '参与党员', color: '#c62828', values: children.map((c) => c.members) }]}
          />
        )}
        {data.unassigned.records > 0 && (
          <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
            另有 {data.unassigned.records} 条记录登记在{data.node.name}本级（未分到基层所）。
          </Typography.Paragraph>
        )}
      </Card>
      <Card size="small" title="近 12 个月">
        {data.months.every((m) => m.members + m.issued + m.revoked === 0) ? (
          <Typography.Text type="secondary">近 12 个月没有三亮记录和牌匾变化。</Typography.Text>
        ) : (
          <EChart option={byMonth} height={280} />
        )}
      </Card>
    </Space>
  );
}
