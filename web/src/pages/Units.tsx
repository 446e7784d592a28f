import { useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Form,
  Input,
  InputNumber,
  Modal,
  Segmented,
  Select,
  Space,
  Tag,
} from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { call } from '../api';
import { createUnit, listUnits, updateUnit, type Unit } from '@server/features/units/contract';
import { useAuth } from '../auth';
import { PageTitle } from '../Layout';
import { JurisdictionPicker } from '../components/JurisdictionPicker';
import { usePaged } from '../components/usePaged';
import { applyProblem } from '../components/problem';
import { ListOrCards } from '../components/ListOrCards';
import { useAddressFilters } from '../components/hooks';

const KIND = { xgz_committee: '"小个专"党委', guidance_post: '党建工作指导站' };

export default function Units() {
  const { me, can } = useAuth();
  const root = me!.jurisdiction.code;
  // The dashboard's 小个专党委 and 指导站 figures open this list as they count (?kind=&under=&status=active).
  const { f, set } = useAddressFilters(['kind', 'under', 'status']);
  const [editing, setEditing] = useState<Unit | 'new' | null>(null);
  const list = usePaged(listUnits, f);
  const canManage = can('units.manage');
  return (
    <div>
      <PageTitle
        title={'"小个专"党委与党建工作指导站'}
        extra={
          canManage && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
              新建
            </Button>
          )
        }
      />
      <Card size="small">
        <Space wrap style={{ marginBottom: 12 }}>
          <Segmented
            value={f.kind ?? ''}
            onChange={(v) => set('kind')(String(v))}
            options={[
              { label: '全部', value: '' },
              { label: KIND.xgz_committee, value: 'xgz_committee' },
              { label: KIND.guidance_post, value: 'guidance_post' },
            ]}
          />
          <div style={{ width: 240 }}>
            <JurisdictionPicker root={root} value={f.under} onChange={set('under')} placeholder="按辖区筛选" />
          </div>
          {f.under && <a onClick={() => set('under')(undefined)}>清除辖区</a>}
          <Select
            allowClear
            placeholder="状态"
            style={{ width: 100 }}
            value={f.status}
            onChange={set('status')}
            options={[
              { value: 'active', label: '在建' },
              { value: 'dissolved', label: '已撤销' },
            ]}
          />
        </Space>
        {/* On a phone a card per unit: the table squeezed the name to a character a line. */}
        <ListOrCards<Unit>
          error={list.error}
          onRetry={list.reload}
          rowKey="id"
          loading={list.loading}
          dataSource={list.items}
          pagination={list.pagination}
          scroll={{ x: 900 }}
          locale={{ emptyText: '暂无记录' }}
          card={(u) => ({
            title: u.name,
            status: u.status === 'active' ? <Tag color="green">在建</Tag> : <Tag>已撤销</Tag>,
            due: u.foundedOn ? { label: '成立日期', value: u.foundedOn } : undefined,
            lines: [
              <span key="k">
                <Tag color={u.kind === 'xgz_committee' ? 'red' : 'orange'}>{KIND[u.kind]}</Tag>
                {u.jurisdictionName}
              </span>,
              [u.leaderName && `负责人：${u.leaderName}`, `人数：${u.staffCount}`].filter(Boolean).join(' · ') || null,
              canManage ? (
                <a key="op" onClick={() => setEditing(u)}>
                  修改
                </a>
              ) : null,
            ].filter(Boolean),
          })}
          columns={[
            {
              title: '类别',
              dataIndex: 'kind',
              width: 130,
              render: (k: Unit['kind']) => <Tag color={k === 'xgz_committee' ? 'red' : 'orange'}>{KIND[k]}</Tag>,
            },
            { title: '名称', dataIndex: 'name', width: 240 },
            { title: '所在辖区', dataIndex: 'jurisdictionName', width: 150 },
            { title: '成立日期', dataIndex: 'foundedOn', width: 110 },
            { title: '负责人', dataIndex: 'leaderName', width: 90 },
            { title: '人数', dataIndex: 'staffCount', width: 70, align: 'right' },
            {
              title: '状态',
              dataIndex: 'status',
              width: 80,
              render: (s: string) => (s === 'active' ? <Tag color="green">在建</Tag> : <Tag>已撤销</Tag>),
            },
            ...(canManage
              ? [
                  {
                    title: '操作',
                    key: 'op',
                    width: 70,
                    render: (_: unknown, u: Unit) => <a onClick={() => setEditing(u)}>修改</a>,
                  },
                ]
              : []),
          ]}
        />
      </Card>
      {editing && (
        <UnitForm
          root={root}
          unit={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void list.reload();
          }}
        />
      )}
    </div>
  );
}

function UnitForm({
  root,
  unit,
  onClose,
  onSaved,
}: {
  root: string;
  unit: Unit | null;
  onClose: () => void;
  onSaved: () => void;
}) {
  const [form] = Form.useForm();
  const { message } = App.useApp();
  const [error, setError] = useState<string | null>(null);
  const kind = Form.useWatch('kind', form) ?? unit?.kind;
  const submit = async () => {
    const v = await form.validateFields();
    const body = {
      name: v.name,
      foundedOn: v.foundedOn ? v.foundedOn.format('YYYY-MM-DD') : null,
      leaderName: v.leaderName || null,
      staffCount: v.staffCount ?? 0,
      note: v.note || null,
    };
    try {
      if (unit) await call(updateUnit, { params: { id: unit.id }, body: { ...body, status: v.status } });
      else await call(createUnit, { body: { ...body, kind: v.kind, jurisdictionCode: v.jurisdictionCode } });
      message.success('已保存');
      onSaved();
    } catch (e) {
      setError(applyProblem(form, e));
    }
  };
  return (
    <Modal
      open
      title={unit ? `修改：${unit.name}` : '新建党委或指导站'}
      onCancel={onClose}
      onOk={submit}
      okText="保存"
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Form
        form={form}
        layout="vertical"
        initialValues={
          unit ? { ...unit, foundedOn: unit.foundedOn ? dayjs(unit.foundedOn) : undefined } : { kind: 'guidance_post' }
        }
      >
        {!unit && (
          <>
            <Form.Item name="kind" label="类别" rules={[{ required: true }]}>
              <Segmented
                options={[
                  { label: KIND.guidance_post, value: 'guidance_post' },
                  { label: KIND.xgz_committee, value: 'xgz_committee' },
                ]}
              />
            </Form.Item>
            <Form.Item
              name="jurisdictionCode"
              label={kind === 'guidance_post' ? '所在基层所' : '所在辖区（省、市、县）'}
              rules={[{ required: true, message: kind === 'guidance_post' ? '请选择所在基层所' : '请选择所在辖区' }]}
            >
              <JurisdictionPicker
                root={root}
                accept={kind === 'guidance_post' ? ['station'] : ['province', 'city', 'county']}
              />
            </Form.Item>
          </>
        )}
        <Form.Item
          name="name"
          label="名称"
          rules={[{ required: true, min: 2, max: 80, message: '请输入 2–80 个字的名称' }]}
        >
          <Input />
        </Form.Item>
        <Space wrap>
          <Form.Item name="foundedOn" label="成立日期">
            <DatePicker />
          </Form.Item>
          <Form.Item name="leaderName" label="负责人">
            <Input maxLength={30} />
          </Form.Item>
          <Form.Item name="staffCount" label="人数">
            <InputNumber min={0} max={100000} />
          </Form.Item>
        </Space>
        <Form.Item name="note" label="备注">
          <Input.TextArea maxLength={500} rows={2} />
        </Form.Item>
        {unit && (
          <Form.Item name="status" label="状态">
            <Segmented
              options={[
                { label: '在建', value: 'active' },
                { label: '已撤销', value: 'dissolved' },
              ]}
            />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}
