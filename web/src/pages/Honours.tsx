import { useCallback, useEffect, useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  DatePicker,
  Descriptions,
  Drawer,
  Empty,
  Form,
  Input,
  InputNumber,
  Radio,
  Row,
  Select,
  Space,
  Statistic,
  Tag,
  Timeline,
} from 'antd';
import { PlusOutlined, WarningOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { call, withQuery } from '../api';
import type { BodyOf } from '@server/http/contract';
import {
  actOnHonour,
  exportHonours,
  getHonour,
  honourCounts,
  listHonours,
  nominateHonour,
  type HonourCounts,
  type HonourDetail,
  type HonourRow,
} from '@server/features/recognition/contract';
import type { EntityRow } from '@server/features/entities/contract';
import type { Member } from '@server/features/members/contract';
import type { ZoneRow } from '@server/features/zones/contract';
import { useAuth } from '../auth';
import { PageTitle } from '../Layout';
import { ListOrCards } from '../components/ListOrCards';
import { usePaged } from '../components/usePaged';
import { JurisdictionPicker } from '../components/JurisdictionPicker';
import { SearchSelect } from '../components/SearchSelect';
import { FormModal } from '../components/FormModal';
import { ViolationForm } from '../components/ViolationForm';
import { drawerSize } from '../components/drawer';
import { useDictionary } from '../components/useDictionary';
import { isFuture, toOptions, ymd, when, today } from '../components/format';
import { zodRule } from '../components/zodRule';
import {
  AWARD_LEVEL_LABEL,
  awardLevelsOpenTo,
  HONOUR_ACTION_LABEL,
  HONOUR_STATE_LABEL,
  MARKET_KINDS,
  MEMBER_KINDS,
  type HonourAction,
} from '@domain/recognition/honours';
import { Loaded, useLoad } from '../components/Loading';
import { DownloadButton } from '../components/DownloadButton';
import { useAddressFilters } from '../components/hooks';

const STATE_COLOR: Record<string, string> = {
  nominated: 'blue',
  approved: 'cyan',
  rejected: 'default',
  awarded: 'red',
  revoked: 'default',
};

export default function Honours() {
  const { me, can } = useAuth();
  const kinds = useDictionary('honor_kind');
  // The dashboard's 有效荣誉 figure opens this list as it counts (?under=&state=awarded).
  const { f, setF } = useAddressFilters(['under', 'state']);
  const set = (k: string) => (v: string | number | undefined | null) =>
    setF((x) => ({ ...x, [k]: v ? String(v) : undefined }));
  const list = usePaged(listHonours, f);
  const [counts, setCounts] = useState<HonourCounts | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  const [creating, setCreating] = useState(false);
  const loadCounts = useCallback(
    () => call(honourCounts, { query: { under: f.under, year: f.year } }).then(setCounts, () => setCounts(null)),
    [f.under, f.year],
  );
  useEffect(() => void loadCounts(), [loadCounts]);
  const changed = () => {
    void list.reload();
    void loadCounts();
  };

  return (
    <div>
      <PageTitle
        title="荣誉"
        extra={
          <Space wrap>
            <DownloadButton href={withQuery(`/api/v1${exportHonours.path}`, f)}>导出 Excel</DownloadButton>
            {can('data.write') && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
                提名
              </Button>
            )}
          </Space>
        }
      />
      {counts && (
        <Card size="small" title={`${counts.node.name} · 荣誉概况`} style={{ marginBottom: 16 }}>
          <Row gutter={[16, 16]}>
            <Col xs={8} md={4}>
              <Statistic title="有效授予" value={counts.total.awarded} />
            </Col>
            <Col xs={8} md={4}>
              <Statistic title="在审" value={counts.total.pending} />
            </Col>
            <Col xs={8} md={4}>
              <a onClick={() => set('flagged')('true')}>
                <Statistic
                  title="待复核"
                  value={counts.total.flagged}
                  styles={{ content: { color: counts.total.flagged ? '#d46b08' : undefined } }}
                />
              </a>
            </Col>
            <Col xs={24} md={12}>
              <Space wrap>
                {counts.byKind.map((k) => (
                  <Tag key={k.kind}>
                    {k.label}：授予 {k.awarded} · 在审 {k.pending}
                    {k.flagged ? ` · 待复核 ${k.flagged}` : ''}
                  </Tag>
                ))}
              </Space>
            </Col>
          </Row>
        </Card>
      )}
      <Card size="small">
        <Space wrap style={{ marginBottom: 12 }}>
          <Input.Search placeholder="获评对象" allowClear onSearch={set('q')} style={{ width: 180 }} />
          <div style={{ width: 200 }}>
            <JurisdictionPicker
              root={me!.jurisdiction.code}
              value={f.under}
              onChange={set('under')}
              placeholder="辖区"
            />
          </div>
          <Select
            allowClear
            placeholder="荣誉类型"
            style={{ width: 150 }}
            onChange={set('kind')}
            options={kinds.entries.map((k) => ({ value: k.code, label: k.label }))}
          />
          <Select
            allowClear
            placeholder="状态"
            style={{ width: 110 }}
            value={f.state}
            onChange={set('state')}
            options={toOptions(HONOUR_STATE_LABEL)}
          />
          <Select
            allowClear
            placeholder="级别"
            style={{ width: 100 }}
            onChange={set('level')}
            options={toOptions(AWARD_LEVEL_LABEL)}
          />
          <InputNumber placeholder="年度" min={2000} max={2100} style={{ width: 100 }} onChange={set('year')} />
          <Select
            allowClear
            placeholder="复核标记"
            style={{ width: 120 }}
            value={f.flagged}
            onChange={set('flagged')}
            options={[
              { value: 'true', label: '待复核' },
              { value: 'false', label: '无标记' },
            ]}
          />
        </Space>
        <ListOrCards<HonourRow>
          error={list.error}
          onRetry={list.reload}
          rowKey="id"
          size="middle"
          loading={list.loading}
          dataSource={list.items}
          pagination={list.pagination}
          scroll={{ x: 960 }}
          onOpen={(h) => setOpen(h.id)}
          card={(h) => ({
            title: h.subjectName,
            status: <Tag color={STATE_COLOR[h.state]}>{h.stateLabel}</Tag>,
            due: { label: '提名日期', value: h.nominatedOn },
            lines: [
              [h.kindLabel, h.levelLabel && `${h.levelLabel} ${h.year}`].filter(Boolean).join(' · '),
              h.flagged && (
                <span key="f" style={{ color: '#d46b08' }}>
                  <WarningOutlined /> 待复核{h.flagReason ? `：${h.flagReason}` : ''}
                </span>
              ),
            ],
          })}
          locale={{
            emptyText: can('data.write')
              ? '没有符合条件的荣誉记录。点击"提名"开始：提名 → 审核 → 授予。'
              : '没有符合条件的荣誉记录。',
          }}
          columns={[
            {
              title: '获评对象',
              dataIndex: 'subjectName',
              width: 240,
              fixed: 'left',
              render: (n: string, h) => (
                <Space size={4} wrap>
                  {n}
                  {h.flagged && (
                    <Tag icon={<WarningOutlined />} color="orange">
                      待复核
                    </Tag>
                  )}
                </Space>
              ),
            },
            { title: '荣誉类型', dataIndex: 'kindLabel', width: 130 },
            {
              title: '状态',
              dataIndex: 'state',
              width: 100,
              render: (s: string, h) => <Tag color={STATE_COLOR[s]}>{h.stateLabel}</Tag>,
            },
            {
              title: '级别 / 年度',
              key: 'lv',
              width: 110,
              render: (_, h) => (h.levelLabel ? `${h.levelLabel} ${h.year}` : '—'),
            },
            { title: '提名日期', dataIndex: 'nominatedOn', width: 105 },
            { title: '复核原因', dataIndex: 'flagReason', width: 220, ellipsis: true, render: (v) => v ?? '' },
          ]}
        />
      </Card>
      {open && <HonourDrawer id={open} onClose={() => setOpen(null)} onChanged={changed} />}
      {creating && (
        <NominateForm
          kinds={kinds.entries}
          onClose={() => setCreating(false)}
          onSaved={(id) => {
            setCreating(false);
            changed();
            setOpen(id);
          }}
        />
      )}
    </div>
  );
}

/** The nomination form: the route's body, the date as the picker holds it. */
type Nomination = Omit<BodyOf<typeof nominateHonour>, 'nominatedOn'> & { nominatedOn?: dayjs.Dayjs };
type Action = Omit<BodyOf<typeof actOnHonour>, 'action'>;

function NominateForm({
  kinds,
  onClose,
  onSaved,
}: {
  kinds: { code: string; label: string }[];
  onClose: () => void;
  onSaved: (id: number) => void;
}) {
  const { message } = App.useApp();
  const submit = async (v: Nomination) => {
    const r = await call(nominateHonour, {
      body: { ...v, nominatedOn: ymd(v.nominatedOn), note: v.note || undefined },
    });
    message.success('已提名');
    onSaved(r.id);
  };
  return (
    <FormModal<Nomination>
      title="提名"
      okText="提名"
      onClose={onClose}
      onSubmit={submit}
      initialValues={{ nominatedOn: today() }}
    >
      <Form.Item name="kind" label="荣誉类型" rules={[{ required: true, message: '请选择荣誉类型' }]}>
        <Select options={kinds.map((k) => ({ value: k.code, label: k.label }))} />
      </Form.Item>
      <Form.Item noStyle dependencies={['kind']}>
        {({ getFieldValue }) =>
          MARKET_KINDS.includes(getFieldValue('kind')) ? (
            <Form.Item name="zoneId" label="专业市场" rules={[{ required: true, message: '请选择专业市场' }]}>
              <SearchSelect<ZoneRow>
                path="/zones"
                query={{ kind: 'market' }}
                toOption={(z) => ({ value: z.id, label: z.name })}
              />
            </Form.Item>
          ) : (
            <>
              <Form.Item name="entityId" label="市场主体" rules={[{ required: true, message: '请选择市场主体' }]}>
                <SearchSelect<EntityRow> path="/entities" toOption={(e) => ({ value: e.id, label: e.name })} />
              </Form.Item>
              {MEMBER_KINDS.includes(getFieldValue('kind')) && (
                <Form.Item
                  name="memberId"
                  label="党员（须在该主体任职或就业）"
                  rules={[{ required: true, message: '请选择党员' }]}
                >
                  <SearchSelect<Member>
                    path="/members"
                    toOption={(m) => ({
                      value: m.id,
                      label: `${m.name}${m.entities?.length ? ` · ${m.entities.join('、')}` : ''}`,
                    })}
                    placeholder="输入姓名查找"
                  />
                </Form.Item>
              )}
            </>
          )
        }
      </Form.Item>
      <Form.Item name="nominatedOn" label="提名日期">
        <DatePicker disabledDate={isFuture} />
      </Form.Item>
      <Form.Item name="note" label="推荐理由" rules={[zodRule(nominateHonour.body.shape.note)]}>
        <Input.TextArea rows={3} maxLength={1000} />
      </Form.Item>
    </FormModal>
  );
}

/** Why an honour still open offers this account nothing: the level that decides it is above. */
const waitsFor = (d: HonourDetail): string | null =>
  d.state === 'nominated'
    ? '待县级及以上市场监管部门审核（基层所只能提名）'
    : d.state === 'approved'
      ? '已审核通过，待县级及以上市场监管部门授予'
      : d.state === 'awarded' && d.flagged
        ? `该荣誉为${d.levelLabel}荣誉，由${d.levelLabel}或以上市场监管部门复核`
        : null;

function HonourDrawer({ id, onClose, onChanged }: { id: number; onClose: () => void; onChanged: () => void }) {
  const { me, can } = useAuth();
  const { message } = App.useApp();
  const [acting, setActing] = useState<HonourAction | null>(null);
  const [recording, setRecording] = useState(false);
  const { data: d, error, reload: load } = useLoad(useCallback(() => call(getHonour, { params: { id } }), [id]));
  const submit = async (v: Action) => {
    await call(actOnHonour, { params: { id }, body: { action: acting!, ...v, reason: v.reason || undefined } });
    message.success(`已${HONOUR_ACTION_LABEL[acting!]}`);
    setActing(null);
    void load();
    onChanged();
  };
  const needsReason = acting === 'reject' || acting === 'revoke' || acting === 'clear_flag';
  return (
    <Drawer
      open
      size={drawerSize()}
      title={d ? `${d.kindLabel} · ${d.subjectName}` : '荣誉'}
      onClose={onClose}
      extra={
        can('data.write') &&
        d && (
          <Space wrap>
            {d.actions.map((a) => (
              <Button
                key={a}
                danger={a === 'revoke' || a === 'reject'}
                type={a === 'award' || a === 'approve' ? 'primary' : 'default'}
                onClick={() => setActing(a)}
              >
                {HONOUR_ACTION_LABEL[a]}
              </Button>
            ))}
          </Space>
        )
      }
    >
      <Loaded data={d} error={error}>
        {(d) => (
          <>
            {can('data.write') && !d.actions.length && waitsFor(d) && (
              <Alert type="info" showIcon title={waitsFor(d)} style={{ marginBottom: 12 }} />
            )}
            {d.flagged && (
              <Alert
                type="warning"
                showIcon
                title="待复核"
                description={`${d.flagReason}。请复核：仍符合条件的"复核后保留"，不再符合的"撤销"。`}
                style={{ marginBottom: 12 }}
              />
            )}
            <Descriptions
              size="small"
              column={1}
              bordered
              items={[
                { label: '状态', children: <Tag color={STATE_COLOR[d.state]}>{d.stateLabel}</Tag> },
                { label: '提名日期', children: d.nominatedOn },
                { label: '推荐理由', children: d.nominationNote ?? '—' },
                { label: '审核意见', children: d.reviewNote ?? '—' },
                {
                  label: '级别 / 年度',
                  children: d.levelLabel ? `${d.levelLabel} · ${d.year} 年度（${d.awardedOn} 授予）` : '—',
                },
                ...(d.revokedOn ? [{ label: '撤销', children: `${d.revokedOn}：${d.revokeReason}` }] : []),
              ]}
            />
            <Space style={{ marginTop: 16, justifyContent: 'space-between', width: '100%' }}>
              <h4 style={{ margin: 0 }}>主体严重违法违规记录</h4>
              {can('data.write') && d.entityId && (
                <Button size="small" onClick={() => setRecording(true)}>
                  记录严重违法违规
                </Button>
              )}
            </Space>
            {d.violations.length ? (
              d.violations.map((v) => (
                <div key={v.id}>
                  {v.occurredOn}
                  {'\u3000'}
                  {v.description}
                </div>
              ))
            ) : (
              <Empty description="无记录" image={Empty.PRESENTED_IMAGE_SIMPLE} />
            )}
            <h4 style={{ marginTop: 16 }}>变更记录</h4>
            <Timeline
              items={d.history.map((h) => ({
                content: `${when(h.at)} · ${h.actor} · ${h.stateLabel ?? ''}${h.flagReason ? `（标记待复核：${h.flagReason}）` : ''}`,
              }))}
            />
          </>
        )}
      </Loaded>
      {recording && d?.entityId && (
        <ViolationForm
          entityId={d.entityId}
          onClose={() => setRecording(false)}
          onDone={(r) => {
            message.warning(`已记录；该主体 ${r.flaggedHonours} 项荣誉标记为待复核`);
            setRecording(false);
            void load();
            onChanged();
          }}
        />
      )}
      {acting && (
        <FormModal<Action>
          title={HONOUR_ACTION_LABEL[acting]}
          danger={acting === 'revoke' || acting === 'reject'}
          onClose={() => setActing(null)}
          onSubmit={submit}
          initialValues={{ year: today().year() }}
        >
          {acting === 'award' && (
            <>
              <Form.Item name="level" label="荣誉级别" rules={[{ required: true, message: '请选择级别' }]}>
                <Radio.Group
                  options={awardLevelsOpenTo(me!.jurisdiction.level).map((l) => ({
                    value: l,
                    label: AWARD_LEVEL_LABEL[l],
                  }))}
                />
              </Form.Item>
              <Form.Item name="year" label="年度" rules={[{ required: true, message: '请填写年度' }]}>
                <InputNumber min={2000} max={today().year()} />
              </Form.Item>
            </>
          )}
          <Form.Item
            name="reason"
            label={needsReason ? '理由' : '意见（可选）'}
            rules={[{ required: needsReason, message: '请说明理由' }]}
          >
            <Input.TextArea rows={3} maxLength={500} />
          </Form.Item>
        </FormModal>
      )}
    </Drawer>
  );
}
