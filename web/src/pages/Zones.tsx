import { useState } from 'react';
import { Card, Input, Segmented, Space } from 'antd';
import { useNavigate } from 'react-router-dom';
import { PageTitle } from '../Layout';
import { usePaged } from '../components/usePaged';
import { ListOrCards } from '../components/ListOrCards';
import { num } from '../components/format';
import { ZONE_KIND_LABEL } from '../components/labels';
import { withQuery } from '../api';
import { exportZones, listZones, type ZoneRow } from '@server/features/zones/contract';
import { DownloadButton } from '../components/DownloadButton';

const KIND: Record<string, string> = ZONE_KIND_LABEL;

export default function Zones() {
  const nav = useNavigate();
  const [kind, setKind] = useState('');
  const [q, setQ] = useState('');
  const filters = { kind: kind || undefined, q };
  const list = usePaged<ZoneRow>(listZones.path, filters);
  return (
    <div>
      <PageTitle
        title="专业市场 · 园区 · 楼宇 · 商圈"
        extra={<DownloadButton href={withQuery(`/api/v1${exportZones.path}`, filters)}>导出 Excel</DownloadButton>}
      />
      <Card size="small">
        <Space wrap style={{ marginBottom: 12 }}>
          <Segmented
            value={kind}
            onChange={(v) => setKind(String(v))}
            options={[
              { label: '全部', value: '' },
              ...Object.entries(KIND).map(([value, label]) => ({ value, label })),
            ]}
          />
          <Input.Search placeholder="区域名称" allowClear onSearch={setQ} style={{ width: 200 }} />
        </Space>
        {/* On a phone a card per zone: the table squeezed the name to a character a line. */}
        <ListOrCards<ZoneRow>
          error={list.error}
          onRetry={list.reload}
          rowKey="id"
          loading={list.loading}
          dataSource={list.items}
          pagination={list.pagination}
          locale={{
            emptyText: q || kind ? '没有符合条件的区域' : '暂无区域。导入登记信息时填写"所在区域名称"即自动建立。',
          }}
          onOpen={(z) => void nav(`/entities?zoneId=${z.id}`)}
          card={(z) => ({
            title: z.name,
            lines: [`${KIND[z.kind]} · ${z.countyName}`, `市场主体 ${num(z.entities)} 户`],
          })}
          columns={[
            { title: '名称', dataIndex: 'name' },
            { title: '类型', dataIndex: 'kind', width: 100, render: (k: string) => KIND[k] },
            { title: '县区', dataIndex: 'countyName', width: 120 },
            { title: '市场主体数', dataIndex: 'entities', width: 110, align: 'right', render: (n: number) => num(n) },
          ]}
        />
      </Card>
    </div>
  );
}
