import { useCallback, useEffect, useState } from 'react';
import {
  App,
  Button,
  Card,
  Form,
  Input,
  InputNumber,
  Select,
  Space,
  Table,
  Tag,
  Typography,
  type TableColumnsType,
} from 'antd';
import { EditOutlined, MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { INDICATORS, type IndicatorKey } from '@domain/indicators/registry';
import { call, withQuery } from '../api';
import { useAuth } from '../auth';
import { PageTitle } from '../Layout';
import { FormModal } from '../components/FormModal';
import { useLoad } from '../components/Loading';
import { pct, today } from '../components/format';
import { ListOrCards } from '../components/ListOrCards';
import { AttachmentList, AttachmentUpload } from '../components/Attachments';
import {
  getOwnAssessment,
  listAssessments,
  setAssessmentItems,
  type OwnAssessment,
  type ScoredChild,
  type ScoredItem,
} from '@server/features/assessment/contract';
import { DownloadButton } from '../components/DownloadButton';

type Item = ScoredItem;
type Child = ScoredChild;
type OwnItem = OwnAssessment['items'][number];
/** In the form, rate targets are entered in percent (the API takes fractions, as the registry measures them). */
type FormItem = {
  kind: 'indicator' | 'manual';
  indicator?: IndicatorKey;
  target?: number;
  label?: string;
  weight: number;
  manualScore?: number | null;
  evidence?: string | null;
};

const isRate = (k?: IndicatorKey | null) => !!k && INDICATORS[k].kind === 'rate';
const show = (i: Item, v: number | null) => (v === null ? '—' : i.unit === '%' ? pct(v) : v.toLocaleString());
/** The columns of an assessment item wherever its items are listed (the evidence column is each list's own). */
const itemColumns = <T extends Item>(): TableColumnsType<T> => [
  { title: '考核项目', dataIndex: 'label' },
  {
    title: '类别',
    render: (_: unknown, i) => (i.kind === 'indicator' ? <Tag color="blue">自动评分</Tag> : <Tag>人工评分</Tag>),
  },
  { title: '目标值', render: (_: unknown, i) => show(i, i.target) },
  { title: '实际值', render: (_: unknown, i) => show(i, i.actual) },
  { title: '分值', dataIndex: 'weight' },
  { title: '得分', dataIndex: 'score' },
];
const INDICATOR_OPTIONS = (Object.keys(INDICATORS) as IndicatorKey[]).map((k) => ({
  value: k,
  label: `${INDICATORS[k].label}（${INDICATORS[k].unit}）`,
}));

export default function Assessment() {
  const { me, can } = useAuth();
  const { message } = App.useApp();
  const thisYear = today().year();
  const [year, setYear] = useState(thisYear);
  const [editing, setEditing] = useState<Child | null>(null);
  const ranking = useLoad(useCallback(() => call(listAssessments, { query: { year } }), [year]));
  const { data: d, reload: load } = ranking;
  // Only the level directly above sets a jurisdiction's items: the caller's own node sets its children's.
  const mayEdit = can('data.write') && d?.node.code === me!.jurisdiction.code;

  const save = async (child: Child, v: { items?: FormItem[] }) => {
    const items = (v.items ?? []).map((i) =>
      i.kind === 'indicator'
        ? {
            kind: 'indicator' as const,
            indicator: i.indicator!,
            target: isRate(i.indicator) ? (i.target ?? 0) / 100 : i.target!,
            weight: i.weight,
          }
        : {
            kind: 'manual' as const,
            label: i.label!,
            weight: i.weight,
            manualScore: i.manualScore ?? null,
            evidence: i.evidence || null,
          },
    );
    await call(setAssessmentItems, { params: { code: child.code }, body: { year, items } });
    setEditing(null);
    message.success('考核项目已保存');
    void load();
  };

  return (
    <>
      <PageTitle title="年度目标责任考核" />
      <Space style={{ marginBottom: 12 }}>
        <Select
          value={year}
          onChange={setYear}
          style={{ width: 120 }}
          options={[0, 1, 2].map((i) => ({ value: thisYear - i, label: `${thisYear - i} 年度` }))}
          aria-label="年度"
        />
        <DownloadButton href={withQuery('/api/v1/assessments/export', { year })}>导出 Excel</DownloadButton>
      </Space>
      <Typography.Paragraph type="secondary">
        指标项按实时数据自动评分：得分 = 分值 × 实际值 ÷ 目标值，达到目标值即得满分；人工评分项由上级评分并写明依据。
      </Typography.Paragraph>
      <OwnAssessment year={year} />
      <Card
        size="small"
        title={d ? `${d.node.name} 下级考核排名` : '考核排名'}
        extra={d && <Tag>{d.source === 'snapshot' ? `按 ${d.asOf} 月度快照评分` : `按实时数据评分（${d.asOf}）`}</Tag>}
      >
        <ListOrCards<Child>
          error={ranking.error}
          onRetry={load}
          size="small"
          rowKey="code"
          pagination={false}
          dataSource={d?.children ?? []}
          // Loading (正在加载…), not "暂无数据": the ranking takes a moment to score (live data).
          loading={ranking.loading}
          locale={{ emptyText: '本级没有下级辖区，无需排名。本级的考核项目由上级设置，设置后显示在上方。' }}
          data-testid="assessment"
          card={(c) => ({
            title: c.name,
            status: <Tag color={c.rank ? 'red' : undefined}>{c.rank ? `第 ${c.rank} 名` : '未排名'}</Tag>,
            lines: [
              c.items.length ? `得分 ${c.total} / ${c.weight}` : '未设置考核项目',
              ...c.items.map(
                (i) =>
                  `${i.label}：${i.score} / ${i.weight} 分${i.kind === 'indicator' ? `（实际 ${show(i, i.actual)}，目标 ${show(i, i.target)}）` : ''}`,
              ),
              ...(mayEdit
                ? [
                    <Button size="small" icon={<EditOutlined />} onClick={() => setEditing(c)}>
                      设置考核项目
                    </Button>,
                  ]
                : []),
            ],
          })}
          expandable={{
            rowExpandable: (c) => c.items.length > 0,
            expandedRowRender: (c) => (
              <Table
                size="small"
                rowKey={(_, i) => String(i)}
                pagination={false}
                dataSource={c.items}
                columns={[
                  ...itemColumns<Item>(),
                  { title: '评分依据', dataIndex: 'evidence', render: (v: string | null) => v ?? '' },
                ]}
              />
            ),
          }}
          columns={[
            { title: '排名', dataIndex: 'rank', width: 70, render: (v: number | null) => v ?? '—' },
            { title: '辖区', dataIndex: 'name' },
            {
              title: '得分',
              dataIndex: 'total',
              render: (v: number, c) => (c.items.length ? `${v} / ${c.weight}` : '未设置考核项目'),
            },
            ...(mayEdit
              ? [
                  {
                    title: '操作',
                    render: (_: unknown, c: Child) => (
                      <Button size="small" icon={<EditOutlined />} onClick={() => setEditing(c)}>
                        设置考核项目
                      </Button>
                    ),
                  },
                ]
              : []),
          ]}
        />
      </Card>
      {editing && (
        <FormModal<{ items?: FormItem[] }>
          title={`${editing.name} ${year} 年度考核项目`}
          onClose={() => setEditing(null)}
          onSubmit={(v) => save(editing, v)}
          initialValues={{
            items: editing.items.map((i) => ({
              kind: i.kind,
              indicator: i.indicator ?? undefined,
              target: i.target === null ? undefined : isRate(i.indicator) ? i.target * 100 : i.target,
              label: i.label,
              weight: i.weight,
              manualScore: i.manualScore,
              evidence: i.evidence,
            })),
          }}
        >
          <Form.List name="items">
            {(fields, { add, remove }) => (
              <>
                {fields.map((f) => (
                  <Space
                    key={f.key}
                    align="start"
                    wrap
                    style={{ display: 'flex', borderBottom: '1px dashed #eee', marginBottom: 8 }}
                  >
                    <Form.Item name={[f.name, 'kind']} initialValue="indicator">
                      <Select
                        style={{ width: 100 }}
                        options={[
                          { value: 'indicator', label: '指标' },
                          { value: 'manual', label: '人工评分' },
                        ]}
                      />
                    </Form.Item>
                    <Form.Item noStyle shouldUpdate>
                      {({ getFieldValue }) =>
                        getFieldValue(['items', f.name, 'kind']) === 'manual' ? (
                          <>
                            <Form.Item name={[f.name, 'label']} rules={[{ required: true, message: '请填写名称' }]}>
                              <Input placeholder="项目名称" style={{ width: 160 }} />
                            </Form.Item>
                            <Form.Item name={[f.name, 'manualScore']}>
                              <InputNumber placeholder="评分" min={0} />
                            </Form.Item>
                            <Form.Item name={[f.name, 'evidence']}>
                              <Input placeholder="评分依据" style={{ width: 180 }} />
                            </Form.Item>
                          </>
                        ) : (
                          <>
                            <Form.Item name={[f.name, 'indicator']} rules={[{ required: true, message: '请选择指标' }]}>
                              <Select
                                showSearch
                                optionFilterProp="label"
                                placeholder="指标"
                                style={{ width: 220 }}
                                options={INDICATOR_OPTIONS}
                              />
                            </Form.Item>
                            <Form.Item name={[f.name, 'target']} rules={[{ required: true, message: '请填写目标值' }]}>
                              <InputNumber
                                placeholder={
                                  isRate(getFieldValue(['items', f.name, 'indicator'])) ? '目标（%）' : '目标值'
                                }
                                min={0}
                              />
                            </Form.Item>
                          </>
                        )
                      }
                    </Form.Item>
                    <Form.Item name={[f.name, 'weight']} rules={[{ required: true, message: '请填写分值' }]}>
                      <InputNumber placeholder="分值" min={0} max={100} />
                    </Form.Item>
                    <MinusCircleOutlined onClick={() => remove(f.name)} style={{ marginTop: 8 }} />
                  </Space>
                ))}
                <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ kind: 'indicator' })}>
                  增加考核项目
                </Button>
              </>
            )}
          </Form.List>
        </FormModal>
      )}
    </>
  );
}

/**
 * 本级考核: the assessed jurisdiction's own year — its targets, weights, live score and rank among its
 * siblings (their detail stays with the level above), and evidence files on its manual items until the deadline.
 */
function OwnAssessment({ year }: { year: number }) {
  const { can } = useAuth();
  const [o, setO] = useState<OwnAssessment | null>(null);
  const load = useCallback(() => call(getOwnAssessment, { query: { year } }).then(setO, () => setO(null)), [year]);
  useEffect(() => void load(), [load]);
  if (!o || o.items.length === 0) return null;
  const files = (i: OwnItem) =>
    i.kind !== 'manual' ? null : (
      <Space direction="vertical" size={4} style={{ width: '100%' }}>
        {i.attachments.length > 0 && <AttachmentList items={i.attachments} />}
        {o.evidenceOpen && can('data.write') && (
          <AttachmentUpload
            ownerType="assessment_item"
            ownerId={i.id}
            label="上传佐证材料"
            onUploaded={() => void load()}
          />
        )}
      </Space>
    );
  return (
    <Card
      size="small"
      style={{ marginBottom: 12 }}
      data-testid="own-assessment"
      title={`${o.node.name} ${o.year} 年度本级考核`}
      extra={
        <Tag color={o.evidenceOpen ? 'green' : 'default'}>
          {o.evidenceOpen ? `佐证材料 ${o.evidenceDeadline} 截止` : `佐证材料已于 ${o.evidenceDeadline} 截止`}
        </Tag>
      }
    >
      <Space wrap size="large" style={{ marginBottom: 12 }}>
        <Typography.Text>
          得分{' '}
          <Typography.Text strong style={{ fontSize: 20 }}>
            {o.total}
          </Typography.Text>{' '}
          / {o.weight}
        </Typography.Text>
        <Typography.Text>
          同级排名{' '}
          <Typography.Text strong style={{ fontSize: 20 }}>
            {o.rank ?? '—'}
          </Typography.Text>{' '}
          / {o.ranked}
        </Typography.Text>
        <Typography.Text type="secondary">
          {o.source === 'snapshot' ? `按 ${o.asOf} 月度快照评分` : `按实时数据评分（${o.asOf}）`}
        </Typography.Text>
      </Space>
      <ListOrCards<OwnItem>
        size="small"
        rowKey="id"
        pagination={false}
        dataSource={o.items}
        card={(i) => ({
          title: i.label,
          status: (
            <Tag color={i.kind === 'indicator' ? 'blue' : undefined}>
              {i.score} / {i.weight} 分
            </Tag>
          ),
          lines: [
            i.kind === 'indicator'
              ? `目标 ${show(i, i.target)} · 实际 ${show(i, i.actual)}`
              : `人工评分${i.evidence ? `：${i.evidence}` : ''}`,
            files(i),
          ],
        })}
        columns={[
          ...itemColumns<OwnItem>(),
          {
            title: '评分依据与佐证材料',
            render: (_: unknown, i) => (
              <>
                {i.evidence ?? ''}
                {files(i)}
              </>
            ),
          },
        ]}
      />
    </Card>
  );
}
