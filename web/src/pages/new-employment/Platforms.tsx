import { useState } from 'react';
import { App, Button, Card, Form, Input, Select, Space } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { call, withQuery } from '../../api';
import { createPlatform, exportPlatforms, listPlatforms, type PlatformRow } from '@server/features/platforms/contract';
import { useAuth } from '../../auth';
import { usePaged } from '../../components/usePaged';
import { JurisdictionPicker } from '../../components/JurisdictionPicker';
import { FormModal } from '../../components/FormModal';
import { SearchSelect } from '../../components/SearchSelect';
import { listEntities } from '@server/features/entities/contract';
import { toOptions } from '../../components/format';
import { BUSINESS_LABEL } from '../../components/labels';
import { useFilters, useReloadOn } from '../../components/hooks';
import { CoverageTags } from '../NewEmploymentDrawers';
import { ListTable } from '../../components/ListOrCards';
import { DownloadButton } from '../../components/DownloadButton';

export function Platforms({
  onOpen,
  version,
  onChanged,
}: {
  onOpen: (id: number) => void;
  version: number;
  onChanged: () => void;
}) {
  const { me, can } = useAuth();
  const { f, set } = useFilters();
  const list = usePaged(listPlatforms, f);
  useReloadOn(version, list.reload);
  const [creating, setCreating] = useState(false);
  return (
    <Card size="small">
      <Space wrap style={{ marginBottom: 12 }}>
        <Input.Search placeholder="平台名称" allowClear onSearch={set('q')} style={{ width: 180 }} />
        <div style={{ width: 200 }}>
          <JurisdictionPicker root={me!.jurisdiction.code} value={f.under} onChange={set('under')} placeholder="辖区" />
        </div>
        <Select
          allowClear
          placeholder="业态"
          style={{ width: 120 }}
          onChange={set('business')}
          options={toOptions(BUSINESS_LABEL)}
        />
        <DownloadButton href={withQuery(`/api/v1${exportPlatforms.path}`, f)}>导出 Excel</DownloadButton>
        {can('data.write') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            登记平台企业
          </Button>
        )}
      </Space>
      <ListTable<PlatformRow>
        error={list.error}
        onRetry={list.reload}
        rowKey="id"
        size="middle"
        loading={list.loading}
        dataSource={list.items}
        pagination={list.pagination}
        scroll={{ x: 1000 }}
        onRow={(p) => ({ onClick: () => onOpen(p.id), style: { cursor: 'pointer' } })}
        locale={{
          emptyText: can('data.write')
            ? '还没有平台企业。点击"登记平台企业"添加外卖、快递、网约车等平台，再登记其本地合作商和配送站点。'
            : '没有符合条件的平台企业。',
        }}
        columns={[
          { title: '平台企业', dataIndex: 'name', width: 180, fixed: 'left' },
          { title: '业态', dataIndex: 'businessLabel', width: 90 },
          { title: '登记单位', dataIndex: 'registeredBy', width: 120 },
          { title: '合作商', dataIndex: 'partners', width: 80, align: 'right' },
          { title: '运营站点', dataIndex: 'stations', width: 90, align: 'right' },
          { title: '骑手（最新）', dataIndex: 'riders', width: 100, align: 'right' },
          { title: '党员骑手', dataIndex: 'memberRiders', width: 90, align: 'right' },
          { title: '覆盖', key: 'cov', width: 160, render: (_, p) => <CoverageTags anyOrg={p.anyOrg} work={p.work} /> },
          { title: '状态', dataIndex: 'statusLabel', width: 80 },
        ]}
      />
      {creating && (
        <PlatformForm
          onClose={() => setCreating(false)}
          onSaved={(id) => {
            setCreating(false);
            onChanged();
            onOpen(id);
          }}
        />
      )}
    </Card>
  );
}

function PlatformForm({ onClose, onSaved }: { onClose: () => void; onSaved: (id: number) => void }) {
  const { me } = useAuth();
  const { message } = App.useApp();
  return (
    <FormModal<{
      name: string;
      business: PlatformRow['business'];
      jurisdictionCode?: string;
      entityId?: number;
      headquarters?: string;
      note?: string;
    }>
      title="登记平台企业"
      okText="保存"
      onClose={onClose}
      initialValues={{ jurisdictionCode: me!.jurisdiction.code }}
      onSubmit={async (v) => {
        const r = await call(createPlatform, {
          body: { ...v, headquarters: v.headquarters || undefined, note: v.note || undefined },
        });
        message.success(`已登记：${v.name}`);
        onSaved(r.id);
      }}
    >
      <Form.Item
        name="name"
        label="平台名称"
        rules={[{ required: true, min: 2, max: 60, message: '请填写 2–60 个字的名称' }]}
      >
        <Input maxLength={60} />
      </Form.Item>
      <Form.Item name="business" label="业态" rules={[{ required: true, message: '请选择业态' }]}>
        <Select options={toOptions(BUSINESS_LABEL)} />
      </Form.Item>
      <Form.Item name="jurisdictionCode" label="登记单位（本级或下级；上级登记的平台下级都能看到）">
        <JurisdictionPicker root={me!.jurisdiction.code} placeholder="默认本级" />
      </Form.Item>
      <Form.Item name="entityId" label="对应的市场主体（已在本辖区登记的，可不选）">
        <SearchSelect
          list={listEntities}
          placeholder="输入名称查找"
          toOption={(e) => ({ value: e.id, label: e.name })}
        />
      </Form.Item>
      <Form.Item name="headquarters" label="总部所在地">
        <Input maxLength={60} />
      </Form.Item>
      <Form.Item name="note" label="备注">
        <Input.TextArea maxLength={500} rows={2} />
      </Form.Item>
    </FormModal>
  );
}
