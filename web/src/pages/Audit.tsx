import { useState } from 'react';
import { App, Button, Card, DatePicker, Descriptions, Input, Select, Space, Tag } from 'antd';
import { SafetyCertificateOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import type { ItemOf } from '@server/http/contract';
import { call, withQuery } from '../api';
import { exportAudit, listAudit, verifyAudit } from '@server/features/audit/contract';
import { PageTitle } from '../Layout';
import { usePaged } from '../components/usePaged';
import { applyProblem } from '../components/problem';
import { when } from '../components/format';
import { ListTable } from '../components/ListOrCards';
import { DownloadButton } from '../components/DownloadButton';

const OUTCOME: Record<string, [string, string]> = {
  success: ['成功', 'green'],
  failure: ['失败', 'red'],
  denied: ['拒绝', 'orange'],
};

export default function Audit() {
  const { message, modal } = App.useApp();
  const [actor, setActor] = useState('');
  const [outcome, setOutcome] = useState<string | undefined>();
  const [range, setRange] = useState<[Dayjs | null, Dayjs | null] | null>(null);
  const filters = {
    actor,
    outcome,
    from: range?.[0]?.startOf('day').toISOString(),
    to: range?.[1]?.endOf('day').toISOString(),
  };
  const list = usePaged(listAudit, filters, 50);
  const verify = async () => {
    try {
      const r = await call(verifyAudit);
      if (r.ok) modal.success({ title: '审计链完整', content: `共 ${r.count} 条记录，SM3 哈希链逐条校验通过。` });
      else modal.error({ title: '审计链被破坏', content: `第一条异常记录编号 ${r.brokenId}：${r.reason}` });
    } catch (e) {
      message.error(applyProblem(null, e));
    }
  };
  return (
    <div>
      <PageTitle
        title="审计日志"
        extra={
          <Space>
            <Button icon={<SafetyCertificateOutlined />} onClick={verify}>
              校验完整性
            </Button>
            <DownloadButton href={withQuery(`/api/v1${exportAudit.path}`, filters)}>导出 Excel</DownloadButton>
          </Space>
        }
      />
      <Card size="small">
        <Space wrap style={{ marginBottom: 12 }}>
          <Input.Search placeholder="操作人账号" allowClear onSearch={setActor} style={{ width: 180 }} />
          <Select
            allowClear
            placeholder="结果"
            style={{ width: 120 }}
            value={outcome}
            onChange={setOutcome}
            options={Object.entries(OUTCOME).map(([v, [l]]) => ({ value: v, label: l }))}
          />
          <DatePicker.RangePicker onChange={(v) => setRange(v)} />
        </Space>
        <ListTable<ItemOf<typeof listAudit>>
          error={list.error}
          onRetry={list.reload}
          rowKey="id"
          size="small"
          loading={list.loading}
          dataSource={list.items}
          pagination={list.pagination}
          scroll={{ x: 1140 }}
          expandable={{
            expandedRowRender: (r) => (
              <Descriptions
                size="small"
                bordered
                column={1}
                data-testid="audit-detail"
                styles={{ label: { width: 220 } }}
                items={r.detailLines.map((l, i) => ({
                  key: i,
                  label: l.label,
                  children: <span style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>{l.value}</span>,
                }))}
              />
            ),
            rowExpandable: (r) => r.detailLines.length > 0,
          }}
          columns={[
            { title: '序号', dataIndex: 'id', width: 80 },
            { title: '时间', dataIndex: 'at', width: 170, render: when },
            { title: '操作人', dataIndex: 'actorName', width: 160 },
            { title: '操作', dataIndex: 'actionLabel', width: 240 },
            {
              title: '对象',
              key: 'obj',
              render: (_, r) => (r.objectLabel ? `${r.objectLabel} ${r.objectId ?? ''}` : ''),
            },
            {
              title: '结果',
              dataIndex: 'outcome',
              width: 80,
              render: (o: string) => <Tag color={OUTCOME[o]?.[1]}>{OUTCOME[o]?.[0] ?? o}</Tag>,
            },
            { title: 'IP', dataIndex: 'ip', width: 130 },
          ]}
        />
      </Card>
    </div>
  );
}
