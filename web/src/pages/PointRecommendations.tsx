import { useState } from 'react';
import { Alert, App, Button, Card, Descriptions, Drawer, Form, Input, Radio, Segmented, Space, Tag } from 'antd';
import { LikeOutlined } from '@ant-design/icons';
import { call } from '../api';
import type { BodyOf } from '@server/http/contract';
import {
  getRecommendation,
  listRecommendations,
  recommendPoint,
  resubmitRecommendation,
  reviewRecommendation,
  type RecommendationRow,
} from '@server/features/recognition/contract';
import { useAuth } from '../auth';
import { usePaged } from '../components/usePaged';
import { ListOrCards } from '../components/ListOrCards';
import { SearchSelect } from '../components/SearchSelect';
import { FormModal } from '../components/FormModal';
import { drawerSize } from '../components/drawer';
import { toOptions } from '../components/format';
import { useRecord } from '../components/hooks';
import { zodRule } from '../components/zodRule';
import { AttachmentList, AttachmentUpload } from '../components/Attachments';
import { POINT_KIND_LABEL, POINT_SUBJECT_LABEL, type PointSubject } from '@domain/recognition/points';
import { listEntities } from '@server/features/entities/contract';
import { listOrgs } from '@server/features/orgs/contract';
import { listZones } from '@server/features/zones/contract';
import { listPlatforms } from '@server/features/platforms/contract';
import { DECISION_LABEL, type Decision } from '@domain/recognition/recommendations';
import { Loaded } from '../components/Loading';

type Rec = RecommendationRow;

/** The list a point's subject is searched in, by the subject's kind (the naming and the recommending forms). */
export const SUBJECT_PATH: Record<PointSubject, string> = {
  entity: listEntities.path,
  org: listOrgs.path,
  zone: listZones.path,
  platform: listPlatforms.path,
};
const STATE_COLOR: Record<Rec['state'], string> = {
  pending: 'blue',
  selected: 'green',
  returned: 'orange',
  rejected: 'default',
};
const UP: Record<string, string> = { station: '县级', county: '市级', city: '省级' };

/** 联系点/示范点 推荐: what this level recommended upward, and what the level below sent it to review. */
export function PointRecommendations() {
  const { me, can } = useAuth();
  const level = me!.jurisdiction.level;
  const mayRecommend = can('data.write') && !!UP[level];
  const mayReview = level !== 'station';
  const [direction, setDirection] = useState<'incoming' | 'outgoing'>(mayReview ? 'incoming' : 'outgoing');
  const list = usePaged(listRecommendations, { direction });
  const [open, setOpen] = useState<number | null>(null);
  const [creating, setCreating] = useState(false);
  return (
    <Card
      size="small"
      title="推荐"
      style={{ marginBottom: 16 }}
      extra={
        mayRecommend && (
          <Button icon={<LikeOutlined />} onClick={() => setCreating(true)}>
            向{UP[level]}推荐
          </Button>
        )
      }
    >
      <Space wrap style={{ marginBottom: 12 }}>
        <Segmented
          value={direction}
          onChange={(v) => setDirection(v as 'incoming' | 'outgoing')}
          options={[
            ...(mayReview ? [{ value: 'incoming', label: '下级推荐（待本级审核）' }] : []),
            { value: 'outgoing', label: '本级报出的推荐' },
          ]}
        />
      </Space>
      <ListOrCards<Rec>
        error={list.error}
        onRetry={list.reload}
        rowKey="id"
        size="small"
        loading={list.loading}
        dataSource={list.items}
        pagination={list.pagination}
        scroll={{ x: 720 }}
        onOpen={(x) => setOpen(x.id)}
        card={(x) => ({
          title: x.subjectName,
          status: <Tag color={STATE_COLOR[x.state]}>{x.stateLabel}</Tag>,
          due: { label: '推荐时间', value: x.createdAt.slice(0, 10) },
          lines: [`${x.levelLabel}${x.kindLabel} · ${x.fromName}推荐`, x.reason],
        })}
        locale={{ emptyText: direction === 'incoming' ? '暂无下级推荐' : '本级还没有推荐' }}
        columns={[
          {
            title: '对象',
            dataIndex: 'subjectName',
            width: 200,
            render: (n: string, x) => (
              <Space size={4} wrap>
                {n}
                <Tag color={x.kind === 'demo' ? 'red' : 'blue'}>
                  {x.levelLabel}
                  {x.kindLabel}
                </Tag>
              </Space>
            ),
          },
          {
            title: '状态',
            dataIndex: 'stateLabel',
            width: 90,
            render: (s: string, x) => <Tag color={STATE_COLOR[x.state]}>{s}</Tag>,
          },
          { title: '推荐单位', dataIndex: 'fromName', width: 130 },
          { title: '推荐理由', dataIndex: 'reason', ellipsis: true },
          { title: '推荐时间', dataIndex: 'createdAt', width: 110, render: (d: string) => d.slice(0, 10) },
        ]}
      />
      {open && <RecDrawer id={open} onClose={() => setOpen(null)} onChanged={() => void list.reload()} />}
      {creating && (
        <RecForm
          target={UP[level]}
          onClose={() => setCreating(false)}
          onSaved={(id) => {
            setCreating(false);
            setDirection('outgoing');
            void list.reload();
            setOpen(id);
          }}
        />
      )}
    </Card>
  );
}

type NewRec = BodyOf<typeof recommendPoint>;
const reasonRule = zodRule(recommendPoint.body.shape.reason);

function RecForm({ target, onClose, onSaved }: { target: string; onClose: () => void; onSaved: (id: number) => void }) {
  const { message } = App.useApp();
  const submit = async (v: NewRec) => {
    const r = await call(recommendPoint, { body: v });
    message.success('已推荐，可在详情中上传事迹材料');
    onSaved(r.id);
  };
  return (
    <FormModal<NewRec>
      title={`向${target}推荐联系点 / 示范点`}
      okText="推荐"
      onClose={onClose}
      onSubmit={submit}
      initialValues={{ kind: 'contact', subjectType: 'entity' }}
    >
      <Form.Item name="kind" label="类别">
        <Radio.Group optionType="button" options={toOptions(POINT_KIND_LABEL)} />
      </Form.Item>
      <Form.Item name="subjectType" label="对象类型">
        <Radio.Group options={toOptions(POINT_SUBJECT_LABEL)} />
      </Form.Item>
      <Form.Item noStyle dependencies={['subjectType']}>
        {({ getFieldValue }) => (
          <Form.Item name="subjectId" label="推荐对象" rules={[{ required: true, message: '请选择推荐对象' }]}>
            <SearchSelect<{ id: number; name: string }>
              key={getFieldValue('subjectType')}
              path={SUBJECT_PATH[getFieldValue('subjectType') as PointSubject]}
              toOption={(x) => ({ value: x.id, label: x.name })}
            />
          </Form.Item>
        )}
      </Form.Item>
      <Form.Item name="reason" label="推荐理由" rules={[{ required: true, message: '请填写推荐理由' }, reasonRule]}>
        <Input.TextArea
          rows={4}
          maxLength={2000}
          placeholder="具备的条件、主要事迹（材料可在推荐后上传，不强制上传照片）"
        />
      </Form.Item>
    </FormModal>
  );
}

function RecDrawer({ id, onClose, onChanged }: { id: number; onClose: () => void; onChanged: () => void }) {
  const { d, error, load, acting, setActing, done } = useRecord<typeof getRecommendation, Decision | 'resubmit'>(
    getRecommendation,
    { id },
    onChanged,
  );
  const open = d && (d.state === 'pending' || d.state === 'returned') && !d.reviewable;
  return (
    <Drawer
      open
      size={drawerSize()}
      title={d ? `推荐 · ${d.subjectName}` : '推荐'}
      onClose={onClose}
      extra={
        d && (
          <Space wrap>
            {d.reviewable &&
              (['select', 'return', 'reject'] as Decision[]).map((k) => (
                <Button
                  key={k}
                  type={k === 'select' ? 'primary' : 'default'}
                  danger={k === 'reject'}
                  onClick={() => setActing(k)}
                >
                  {DECISION_LABEL[k]}
                </Button>
              ))}
            {d.resendable && (
              <Button type="primary" onClick={() => setActing('resubmit')}>
                补充后重新报送
              </Button>
            )}
          </Space>
        )
      }
    >
      <Loaded data={d} error={error}>
        {(d) => (
          <>
            <Descriptions column={1} size="small" bordered>
              <Descriptions.Item label="推荐为">
                {d.levelLabel}
                {d.kindLabel}
              </Descriptions.Item>
              <Descriptions.Item label="对象">
                {d.subjectName}（{d.subjectTypeLabel}）
              </Descriptions.Item>
              <Descriptions.Item label="推荐单位">{d.fromName}</Descriptions.Item>
              <Descriptions.Item label="推荐理由">
                <div style={{ whiteSpace: 'pre-wrap' }}>{d.reason}</div>
              </Descriptions.Item>
              <Descriptions.Item label="状态">
                <Tag color={STATE_COLOR[d.state]}>{d.stateLabel}</Tag>
              </Descriptions.Item>
              {d.reviewReason && <Descriptions.Item label="审核意见">{d.reviewReason}</Descriptions.Item>}
            </Descriptions>
            <div style={{ marginTop: 16 }}>
              <Space style={{ marginBottom: 8 }}>
                <b>材料</b>
                {open && (
                  <AttachmentUpload ownerType="point_recommendation" ownerId={d.id} onUploaded={() => void load()} />
                )}
              </Space>
              <AttachmentList items={d.attachments} />
            </div>
            {d.state === 'selected' && (
              <Alert
                type="info"
                style={{ marginTop: 16 }}
                title="已选定。请按命名规则在联系点、示范点台账中命名（条件清单、负责人）。"
              />
            )}
          </>
        )}
      </Loaded>
      {acting && acting !== 'resubmit' && (
        <FormModal<Omit<BodyOf<typeof reviewRecommendation>, 'decision'>>
          title={`${DECISION_LABEL[acting]}：${d?.subjectName ?? ''}`}
          okText={DECISION_LABEL[acting]}
          danger={acting === 'reject'}
          onClose={() => setActing(null)}
          onSubmit={async (v) => {
            await call(reviewRecommendation, {
              params: { id },
              body: { decision: acting, reason: v.reason || undefined },
            });
            done(`已${DECISION_LABEL[acting]}`);
          }}
        >
          <Form.Item
            name="reason"
            label={acting === 'select' ? '意见（可不填）' : '理由'}
            rules={[
              { required: acting !== 'select', message: '请说明理由' },
              zodRule(reviewRecommendation.body.shape.reason),
            ]}
          >
            <Input.TextArea rows={3} maxLength={500} />
          </Form.Item>
        </FormModal>
      )}
      {acting === 'resubmit' && d && (
        <FormModal<BodyOf<typeof resubmitRecommendation>>
          title="补充后重新报送"
          okText="报送"
          initialValues={{ reason: d.reason }}
          onClose={() => setActing(null)}
          onSubmit={async (v) => {
            await call(resubmitRecommendation, { params: { id }, body: v });
            done('已重新报送');
          }}
        >
          <Form.Item name="reason" label="推荐理由" rules={[{ required: true, message: '请填写推荐理由' }, reasonRule]}>
            <Input.TextArea rows={4} maxLength={2000} />
          </Form.Item>
        </FormModal>
      )}
    </Drawer>
  );
}
