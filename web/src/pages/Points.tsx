import { useCallback, useEffect, useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
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
  Table,
  Tag,
  Timeline,
} from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { call, withQuery } from '../api';
import type { BodyOf } from '@server/http/contract';
import {
  designatePoint,
  exportPoints,
  getPoint,
  listPoints,
  pointCounts,
  reviewPoint,
  updatePoint,
  type PointCounts,
  type PointRow,
} from '@server/features/recognition/contract';
import { useAuth } from '../auth';
import { PageTitle } from '../Layout';
import { ListOrCards } from '../components/ListOrCards';
import { usePaged } from '../components/usePaged';
import { JurisdictionPicker } from '../components/JurisdictionPicker';
import { SearchSelect } from '../components/SearchSelect';
import { FormModal } from '../components/FormModal';
import { AreaBars } from '../components/AreaBars';
import { drawerSize } from '../components/drawer';
import { useDictionary } from '../components/useDictionary';
import { isFuture, toOptions, ymd, today } from '../components/format';
import { zodRule } from '../components/zodRule';
import {
  POINT_KIND_LABEL,
  POINT_LEVEL_LABEL,
  POINT_SUBJECT_LABEL,
  REVIEW_OUTCOME_LABEL,
  mayDesignate,
  type PointKind,
  type PointLevel,
  type PointSubject,
} from '@domain/recognition/points';
import { filtered, useAddressFilters, useRecord } from '../components/hooks';
import { PointRecommendations, SUBJECT_PATH } from './PointRecommendations';
import { Loaded } from '../components/Loading';
import { DownloadButton } from '../components/DownloadButton';

export default function Points() {
  const { me, can } = useAuth();
  // The dashboard's 联系点/示范点 figures open this list as they count (?under=&kind=&status=active).
  const { f, set } = useAddressFilters(['under', 'kind', 'status']);
  const list = usePaged(listPoints, f);
  const [counts, setCounts] = useState<PointCounts | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  const [creating, setCreating] = useState(false);
  const loadCounts = useCallback(
    () => call(pointCounts, { query: { under: f.under } }).then(setCounts, () => setCounts(null)),
    [f.under],
  );
  useEffect(() => void loadCounts(), [loadCounts]);
  const changed = () => {
    void list.reload();
    void loadCounts();
  };
  const canDesignate =
    can('data.write') &&
    (['province', 'city', 'county'] as PointLevel[]).some((l) => mayDesignate(me!.jurisdiction.level, l));

  return (
    <div>
      <PageTitle
        title="联系点 · 示范点"
        extra={
          <Space wrap>
            <DownloadButton href={withQuery(`/api/v1${exportPoints.path}`, f)}>导出 Excel</DownloadButton>
            {canDesignate && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
                命名联系点/示范点
              </Button>
            )}
          </Space>
        }
      />
      {counts && <CountsCard data={counts} onDrill={(code) => set('under')(code)} />}
      <PointRecommendations />
      <Card size="small">
        <Space wrap style={{ marginBottom: 12 }}>
          <Input.Search placeholder="对象名称" allowClear onSearch={set('q')} style={{ width: 180 }} />
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
            placeholder="类别"
            style={{ width: 100 }}
            value={f.kind}
            onChange={set('kind')}
            options={toOptions(POINT_KIND_LABEL)}
          />
          <Select
            allowClear
            placeholder="级别"
            style={{ width: 100 }}
            onChange={set('level')}
            options={toOptions(POINT_LEVEL_LABEL)}
          />
          <Select
            allowClear
            placeholder="对象类型"
            style={{ width: 150 }}
            onChange={set('subjectType')}
            options={toOptions(POINT_SUBJECT_LABEL)}
          />
          <Select
            allowClear
            placeholder="状态"
            style={{ width: 100 }}
            value={f.status}
            onChange={set('status')}
            options={[
              { value: 'active', label: '在册' },
              { value: 'revoked', label: '已撤销' },
            ]}
          />
          <Select
            allowClear
            placeholder="复核"
            style={{ width: 130 }}
            onChange={set('reviewDue')}
            options={[
              { value: 'true', label: '今年待复核' },
              { value: 'false', label: '无需复核' },
            ]}
          />
        </Space>
        <ListOrCards<PointRow>
          error={list.error}
          onRetry={list.reload}
          rowKey="id"
          size="middle"
          loading={list.loading}
          dataSource={list.items}
          pagination={list.pagination}
          scroll={{ x: 1000 }}
          onOpen={(p) => setOpen(p.id)}
          card={(p) => ({
            title: p.subjectName,
            status: (
              <Space size={4}>
                <Tag color={p.kind === 'demo' ? 'red' : 'blue'}>{p.kindLabel}</Tag>
                {p.status === 'revoked' && <Tag>已撤销</Tag>}
              </Space>
            ),
            due: { label: '命名日期', value: p.designatedOn },
            lines: [
              [p.levelLabel, p.subjectTypeLabel, p.responsible && `负责人 ${p.responsible}`]
                .filter(Boolean)
                .join(' · '),
              p.reviewDue ? (
                <span key="r" style={{ color: '#d46b08' }}>
                  今年待复核
                </span>
              ) : (
                p.lastReviewYear && `${p.lastReviewYear} 年已复核`
              ),
            ],
          })}
          locale={{
            emptyText: filtered(f)
              ? '没有符合条件的联系点或示范点。'
              : canDesignate
                ? '还没有联系点或示范点。点击"命名联系点/示范点"，从市场主体、党组织或市场园区中选择。'
                : '没有符合条件的联系点或示范点。',
          }}
          columns={[
            {
              title: '对象',
              dataIndex: 'subjectName',
              width: 240,
              fixed: 'left',
              render: (n: string, p) => (
                <Space size={4} wrap>
                  {n}
                  <Tag color={p.kind === 'demo' ? 'red' : 'blue'}>{p.kindLabel}</Tag>
                  {p.status === 'revoked' && <Tag>已撤销</Tag>}
                </Space>
              ),
            },
            { title: '级别', dataIndex: 'levelLabel', width: 70 },
            { title: '对象类型', dataIndex: 'subjectTypeLabel', width: 130 },
            { title: '命名日期', dataIndex: 'designatedOn', width: 105 },
            { title: '负责人', dataIndex: 'responsible', width: 120 },
            { title: '具备条件', dataIndex: 'criteriaCount', width: 80, align: 'right' },
            {
              title: '年度复核',
              key: 'review',
              width: 120,
              render: (_, p) =>
                p.reviewDue ? (
                  <Tag color="orange">今年待复核</Tag>
                ) : p.lastReviewYear ? (
                  `${p.lastReviewYear} 年已复核`
                ) : (
                  '—'
                ),
            },
          ]}
        />
      </Card>
      {open && <PointDrawer id={open} onClose={() => setOpen(null)} onChanged={changed} />}
      {creating && (
        <PointForm
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

function CountsCard({ data, onDrill }: { data: PointCounts; onDrill: (code: string) => void }) {
  const kids = data.children.filter((c) => c.contact + c.demo > 0);
  return (
    <Card size="small" title={`${data.node.name} · 在册联系点、示范点`} style={{ marginBottom: 16 }}>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={9}>
          <Row gutter={16}>
            <Col span={12}>
              <Statistic title="联系点" value={data.total.contact} />
            </Col>
            <Col span={12}>
              <Statistic title="示范点" value={data.total.demo} />
            </Col>
          </Row>
          <Table
            size="small"
            rowKey="level"
            pagination={false}
            style={{ marginTop: 12 }}
            dataSource={data.byLevel}
            columns={[
              { title: '级别', dataIndex: 'label' },
              { title: '联系点', dataIndex: 'contact', align: 'right' },
              { title: '示范点', dataIndex: 'demo', align: 'right' },
            ]}
          />
        </Col>
        {/* A station has no level below it: no chart of children to show there. */}
        {data.children.length > 0 && (
          <Col xs={24} lg={15}>
            {kids.length ? (
              <AreaBars
                names={kids.map((c) => c.name)}
                onClick={(i) => onDrill(kids[i].code)}
                series={[
                  { name: '联系点', color: '#1677ff', values: kids.map((c) => c.contact) },
                  { name: '示范点', color: '#c62828', values: kids.map((c) => c.demo) },
                ]}
              />
            ) : (
              <Empty description="下级辖区暂无联系点、示范点" />
            )}
          </Col>
        )}
      </Row>
    </Card>
  );
}

/** The designation form: the route's body, the date as the picker holds it. */
type NewPoint = Omit<BodyOf<typeof designatePoint>, 'designatedOn'> & { designatedOn: dayjs.Dayjs };
const review = reviewPoint.body.shape;
const edit = updatePoint.body.shape;

function Criteria({ kind }: { kind: PointKind }) {
  const contact = useDictionary('contact_point_criterion').entries;
  const demo = useDictionary('demo_point_criterion').entries;
  const options = [...contact, ...(kind === 'demo' ? demo : [])].map((e) => ({ value: e.code, label: e.label }));
  return (
    <Form.Item name="criteria" label={kind === 'demo' ? '条件清单（示范点须具备联系点全部条件）' : '条件清单'}>
      <Checkbox.Group options={options} style={{ display: 'flex', flexDirection: 'column', gap: 4 }} />
    </Form.Item>
  );
}

function PointForm({ onClose, onSaved }: { onClose: () => void; onSaved: (id: number) => void }) {
  const { me } = useAuth();
  const { message } = App.useApp();
  const levels = (Object.keys(POINT_LEVEL_LABEL) as PointLevel[]).filter((l) =>
    mayDesignate(me!.jurisdiction.level, l),
  );
  const submit = async (v: NewPoint) => {
    const r = await call(designatePoint, {
      body: {
        ...v,
        designatedOn: ymd(v.designatedOn)!,
        responsibleName: v.responsibleName || undefined,
        evidence: v.evidence || undefined,
        criteria: v.criteria ?? [],
      },
    });
    message.success('已命名');
    onSaved(r.id);
  };
  return (
    <FormModal<NewPoint>
      title="命名联系点 / 示范点"
      okText="保存"
      onClose={onClose}
      onSubmit={submit}
      initialValues={{ kind: 'contact', level: levels.at(-1), subjectType: 'entity', designatedOn: today() }}
    >
      <Form.Item name="kind" label="类别">
        <Radio.Group optionType="button" options={toOptions(POINT_KIND_LABEL)} />
      </Form.Item>
      <Form.Item name="level" label="级别" rules={[{ required: true, message: '请选择级别' }]}>
        <Radio.Group options={levels.map((l) => ({ value: l, label: POINT_LEVEL_LABEL[l] }))} />
      </Form.Item>
      <Form.Item name="subjectType" label="对象类型">
        <Radio.Group options={toOptions(POINT_SUBJECT_LABEL)} />
      </Form.Item>
      <Form.Item noStyle dependencies={['subjectType']}>
        {({ getFieldValue }) => (
          <Form.Item name="subjectId" label="对象" rules={[{ required: true, message: '请选择对象' }]}>
            <SearchSelect<{ id: number; name: string }>
              key={getFieldValue('subjectType')}
              path={SUBJECT_PATH[getFieldValue('subjectType') as PointSubject]}
              toOption={(x) => ({ value: x.id, label: x.name })}
            />
          </Form.Item>
        )}
      </Form.Item>
      <Form.Item name="designatedOn" label="命名日期" rules={[{ required: true, message: '请选择命名日期' }]}>
        <DatePicker disabledDate={isFuture} />
      </Form.Item>
      <Form.Item
        name="responsibleName"
        label="负责的局领导或工作人员"
        rules={[{ required: true, message: '请填写负责人姓名' }, zodRule(designatePoint.body.shape.responsibleName)]}
      >
        <Input maxLength={20} placeholder="姓名" />
      </Form.Item>
      <Form.Item noStyle dependencies={['kind']}>
        {({ getFieldValue }) => <Criteria kind={getFieldValue('kind')} />}
      </Form.Item>
      <Form.Item name="evidence" label="佐证材料说明">
        <Input.TextArea rows={3} maxLength={2000} placeholder="如 走访记录、活动台账所在位置（不强制上传照片）" />
      </Form.Item>
    </FormModal>
  );
}

function PointDrawer({ id, onClose, onChanged }: { id: number; onClose: () => void; onChanged: () => void }) {
  const { can } = useAuth();
  const { d, error, acting, setActing, done } = useRecord<typeof getPoint, 'review' | 'edit'>(
    getPoint,
    { id },
    onChanged,
  );
  const contact = useDictionary('contact_point_criterion').labels;
  const demo = useDictionary('demo_point_criterion').labels;
  const write = can('data.write') && d?.status === 'active';
  return (
    <Drawer
      open
      size={drawerSize()}
      title={d ? `${d.subjectName} · ${d.levelLabel}${d.kindLabel}` : '详情'}
      onClose={onClose}
      extra={
        write && (
          <Space>
            <Button onClick={() => setActing('edit')}>修改</Button>
            <Button type="primary" onClick={() => setActing('review')}>
              年度复核
            </Button>
          </Space>
        )
      }
    >
      <Loaded data={d} error={error}>
        {(d) => (
          <>
            {d.reviewDue && (
              <Alert type="warning" showIcon title={`${today().year()} 年度尚未复核`} style={{ marginBottom: 12 }} />
            )}
            <Descriptions
              size="small"
              column={1}
              bordered
              items={[
                { label: '对象', children: `${d.subjectName}（${d.subjectTypeLabel}）` },
                { label: '命名日期', children: d.designatedOn },
                { label: '负责人', children: d.responsible || '—' },
                {
                  label: '状态',
                  children:
                    d.status === 'active' ? (
                      <Tag color="green">在册</Tag>
                    ) : (
                      <Space>
                        <Tag>已撤销</Tag>
                        {d.revokedOn} {d.revokeReason}
                      </Space>
                    ),
                },
                {
                  label: '具备条件',
                  children: d.criteria.length
                    ? d.criteria.map((c) => <Tag key={c}>{contact[c] ?? demo[c] ?? c}</Tag>)
                    : '未勾选',
                },
                { label: '佐证材料说明', children: d.evidence ?? '—' },
              ]}
            />
            <h4 style={{ marginTop: 16 }}>复核记录</h4>
            {d.reviews.length ? (
              <Timeline
                items={d.reviews.map((r) => ({
                  color: r.outcome === 'keep' ? 'green' : 'red',
                  content: `${r.year} 年度：${r.outcomeLabel}${r.reason ? `（${r.reason}）` : ''} · ${r.reviewedOn}${r.reviewer ? ` · ${r.reviewer}` : ''}`,
                }))}
              />
            ) : (
              <Empty description="尚无复核记录" />
            )}
          </>
        )}
      </Loaded>
      {acting === 'review' && d && (
        <FormModal<BodyOf<typeof reviewPoint>>
          title="年度复核"
          onClose={() => setActing(null)}
          initialValues={{ year: today().year(), outcome: 'keep' }}
          onSubmit={async (v) => {
            await call(reviewPoint, { params: { id }, body: { ...v, reason: v.reason || undefined } });
            done(v.outcome === 'keep' ? '已复核：保留' : '已撤销');
          }}
        >
          <Form.Item name="year" label="复核年度" rules={[{ required: true, message: '请填写年度' }]}>
            <InputNumber min={2000} max={today().year()} />
          </Form.Item>
          <Form.Item name="outcome" label="结论">
            <Radio.Group options={toOptions(REVIEW_OUTCOME_LABEL)} />
          </Form.Item>
          <Form.Item noStyle dependencies={['outcome']}>
            {({ getFieldValue }) => (
              <Form.Item
                name="reason"
                label="理由"
                rules={[
                  { required: getFieldValue('outcome') === 'revoke', message: '撤销须说明理由' },
                  zodRule(review.reason),
                ]}
              >
                <Input.TextArea rows={2} maxLength={500} />
              </Form.Item>
            )}
          </Form.Item>
        </FormModal>
      )}
      {acting === 'edit' && d && (
        <FormModal<BodyOf<typeof updatePoint>>
          title="修改"
          onClose={() => setActing(null)}
          initialValues={{
            responsibleName: d.responsibleName ?? undefined,
            criteria: d.criteria,
            evidence: d.evidence ?? undefined,
          }}
          onSubmit={async (v) => {
            await call(updatePoint, {
              params: { id },
              body: {
                responsibleName: v.responsibleName || null,
                criteria: v.criteria ?? [],
                evidence: v.evidence || null,
              },
            });
            done('已保存');
          }}
        >
          <Form.Item name="responsibleName" label="负责人" rules={[zodRule(edit.responsibleName)]}>
            <Input maxLength={20} />
          </Form.Item>
          <Criteria kind={d.kind} />
          <Form.Item name="evidence" label="佐证材料说明">
            <Input.TextArea rows={3} maxLength={2000} />
          </Form.Item>
        </FormModal>
      )}
    </Drawer>
  );
}
