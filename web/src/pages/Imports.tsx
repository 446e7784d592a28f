import { useCallback, useEffect, useState } from 'react';
import { ListOrCards } from '../components/ListOrCards';
import {
  Alert,
  Grid,
  App,
  Card,
  List,
  Modal,
  Popconfirm,
  Progress,
  Radio,
  Segmented,
  Space,
  Tag,
  Tooltip,
  Typography,
  Upload,
} from 'antd';
import { InboxOutlined } from '@ant-design/icons';
import { ApiError, call, csrf } from '../api';
import { PageTitle } from '../Layout';
import { usePaged } from '../components/usePaged';
import { applyProblem } from '../components/problem';
import { ImportPlan, type Preview } from './ImportPlan';

import { IMPORT_KIND_LABEL, IMPORT_KIND_SHORT } from '@domain/import/labels';
import {
  IMPORT_KINDS,
  cancelImport,
  importChanges,
  listImports,
  rerunImport,
  type IdentityChangeItem as Change,
  type ImportJob as Job,
  type ImportKind,
} from '@server/features/imports/contract';
import { num, when } from '../components/format';
import { Link } from 'react-router-dom';
import { DownloadButton, DownloadLink } from '../components/DownloadButton';

/** A download among the row's text links, set as one of them. */

/** A full roster's comparison, as its job's line says it: pending until its successful end, then how many members it lacked. */
/** The sheet(s) a job read, beside its kind: 工作表"二支部", or the several one import took. */
const sheetsOf = (j: Job) =>
  j.sheets ? ` · ${j.sheets.length} 个工作表（${j.sheets.join('、')}）` : j.sheet ? ` · 工作表"${j.sheet}"` : '';

const absentLine = (j: Job) =>
  j.absentMembers === null
    ? j.status === 'done' || j.status === 'queued' || j.status === 'running'
      ? '完整名册：导入成功后比对所涉党支部的党员'
      : '完整名册：导入未成功，未作比对'
    : j.absentMembers
      ? `完整名册：所涉党支部中有 ${num(j.absentMembers)} 名党员不在本文件中，已生成"名册中已不存在"核实线索`
      : '完整名册：所涉党支部的党员都在本文件中';
const STATUS: Record<string, [string, 'normal' | 'active' | 'success' | 'exception']> = {
  queued: ['排队中', 'normal'],
  running: ['导入中', 'active'],
  done: ['已完成', 'success'],
  failed: ['失败', 'exception'],
  cancelled: ['已取消', 'exception'],
};
const KINDS = IMPORT_KINDS.map((value) => ({ value, label: IMPORT_KIND_SHORT[value] }));

export default function Imports() {
  const { message } = App.useApp();
  const [kind, setKind] = useState<ImportKind>('registry');
  const [uploading, setUploading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  // A workbook with several sheets: the file waits here while the user picks one.
  const [choose, setChoose] = useState<{ file: File; sheets: string[]; detail: string } | null>(null);
  const [sheet, setSheet] = useState<string | null>(null);
  const [changes, setChanges] = useState<{ job: Job; items: Change[] } | null>(null);
  const list = usePaged(listImports, {}, 10);
  const busy = list.items.some((j) => j.status === 'running' || j.status === 'queued');
  const { reload } = list;
  useEffect(() => {
    if (!busy) return;
    const t = setInterval(() => void reload(), 1000);
    return () => clearInterval(t);
  }, [busy, reload]);

  const upload = useCallback(
    async (file: File, sheetName?: string) => {
      setUploading(true);
      setError(null);
      try {
        const fd = new FormData();
        fd.append('file', file);
        // Read the header and the first rows first: the column plan is shown before anything is imported.
        const query = sheetName ? `?sheet=${encodeURIComponent(sheetName)}` : '';
        const res = await fetch(`/api/v1/imports/${kind}/upload${query}`, {
          method: 'POST',
          body: fd,
          headers: { 'x-csrf-token': csrf() },
        });
        const data = await res.json();
        if (res.status === 422 && data.code === 'sheet_required') {
          const sheets = (data.errors ?? []).map((e: { message: string }) => e.message);
          setSheet(sheets[0] ?? null);
          setChoose({ file, sheets, detail: data.detail });
          return;
        }
        if (!res.ok) throw new ApiError(res.status, data.title, data.detail, data.errors ?? [], data.code);
        setChoose(null);
        setPreview(data as Preview);
      } catch (e) {
        setError(applyProblem(null, e));
      } finally {
        setUploading(false);
      }
    },
    [kind],
  );

  // On a phone the kinds stack: side by side they are wider than the screen.
  const phone = Grid.useBreakpoint().md === false;
  const progress = (j: Job) => (
    <div data-testid={`job-${j.id}`}>
      <Progress percent={j.percent} status={STATUS[j.status][1]} size="small" />
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {STATUS[j.status][0]}
        {j.rowsPerSecond ? ` · ${num(j.rowsPerSecond)} 行/秒` : ''}
        {j.etaSeconds !== null ? ` · 约 ${j.etaSeconds} 秒后完成` : ''}
      </Typography.Text>
      {j.error && (
        <div>
          <Typography.Text type="danger" style={{ fontSize: 12 }}>
            {j.error}
          </Typography.Text>
        </div>
      )}
      {j.footer && (
        <div>
          <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid={`footer-${j.id}`}>
            {j.footer}
          </Typography.Text>
        </div>
      )}
      {j.withheld && (
        <div>
          <Typography.Text type="warning" style={{ fontSize: 12 }} data-testid={`withheld-${j.id}`}>
            {j.withheld}
          </Typography.Text>
        </div>
      )}
      {!!j.membersLeft && (
        <div data-testid={`left-${j.id}`}>
          <Typography.Text style={{ fontSize: 12 }}>
            名册记录组织关系已转出：{num(j.membersLeft)} 名党员已记为已转出
          </Typography.Text>
          <Link to="/members?status=transferred_out" style={{ fontSize: 12, marginLeft: 8 }}>
            查看党员
          </Link>
        </div>
      )}
      {j.fullRoster && (
        <div data-testid={`absent-${j.id}`}>
          <Typography.Text type={j.absentMembers ? 'warning' : 'secondary'} style={{ fontSize: 12 }}>
            {absentLine(j)}
          </Typography.Text>
          {!!j.absentMembers && (
            <Link to="/discovery?kind=roster_absent&state=open" style={{ fontSize: 12, marginLeft: 8 }}>
              查看核实线索
            </Link>
          )}
        </div>
      )}
    </div>
  );
  const ops = (j: Job) => (
    <Space size="small" wrap>
      {j.rowsRejected > 0 && <DownloadLink href={`/api/v1/imports/${j.id}/errors`}>错误报告</DownloadLink>}
      {j.identityChanges > 0 && (
        <a
          data-testid={`changes-${j.id}`}
          onClick={() =>
            call(importChanges, { params: { id: j.id } }).then(
              (r) => setChanges({ job: j, items: r.items }),
              (e) => message.error(applyProblem(null, e)),
            )
          }
        >
          变更摘要 <Tag color="orange">{j.identityChanges}</Tag>
        </a>
      )}
      {j.manageable && (j.status === 'running' || j.status === 'queued') && (
        <Popconfirm
          title="取消这次导入？已导入的批次会保留。"
          onConfirm={() =>
            call(cancelImport, { params: { id: j.id } }).then(reload, (e) => message.error(applyProblem(null, e)))
          }
        >
          <a>取消</a>
        </Popconfirm>
      )}
      {j.manageable && (j.status === 'failed' || j.status === 'cancelled') && (
        <a
          onClick={() =>
            call(rerunImport, { params: { id: j.id } }).then(reload, (e) => message.error(applyProblem(null, e)))
          }
        >
          重新导入
        </a>
      )}
    </Space>
  );
  return (
    <div>
      <PageTitle title="数据导入" />
      <Card size="small" style={{ marginBottom: 16 }}>
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Space wrap>
            <Segmented<ImportKind>
              orientation={phone ? 'vertical' : 'horizontal'}
              value={kind}
              onChange={(v) => {
                setKind(v);
                setPreview(null);
              }}
              options={KINDS}
            />
            <DownloadButton href={`/api/v1/imports/templates/${kind}`}>下载模板</DownloadButton>
          </Space>
          <Typography.Text type="secondary">
            支持 .xlsx、Excel 二进制工作簿（.xlsb）、旧版 .xls（含 WPS 的 .et）、OpenDocument 表格（.ods）、Excel 2003
            XML 表格（.xml）、.csv 和 Excel 另存的文本文件 .txt（逗号、制表符、分号或竖线分隔，UTF-8、GBK/GB18030 或
            Unicode
            编码），可直接上传登记系统、年报系统和组织部门导出的文件：上传后先显示每一列导入为哪一项、哪些列不导入，缺少的项可选择对应的列，确认后再开始导入。同一主体（同一年度）重复出现时保留第一行；同一文件可重复导入，不会重复写入。错误报告改正后可直接上传（自动读取其"待修正数据"工作表）；标有"重复标记"的行不会再导入。工作簿有多个有数据的工作表时，各表表头相同的（如按党支部分表的名册）一次全部导入，否则请您选择（空白的
            Sheet1 等不算）。党组织、指导员、荣誉、三亮等名单不从文件导入，请在各自页面登记。
          </Typography.Text>
          {error && <Alert type="error" showIcon title={error} closable />}
          <Upload.Dragger
            accept=".xlsx,.xlsb,.xls,.et,.ods,.xml,.csv,.txt"
            showUploadList={false}
            disabled={uploading}
            customRequest={({ file }) => void upload(file as File)}
            data-testid="import-upload"
          >
            <p className="ant-upload-drag-icon">
              <InboxOutlined />
            </p>
            <p className="ant-upload-text">点击或拖拽文件到这里，先查看列对应</p>
            <p className="ant-upload-hint">{IMPORT_KIND_LABEL[kind]}</p>
          </Upload.Dragger>
        </Space>
      </Card>
      {preview && (
        <ImportPlan
          kind={kind}
          preview={preview}
          onChange={setPreview}
          onSwitchKind={setKind}
          onClose={() => setPreview(null)}
          onStarted={() => {
            setPreview(null);
            void reload();
          }}
        />
      )}
      <Card size="small" title="导入任务">
        <ListOrCards<Job>
          error={list.error}
          onRetry={list.reload}
          rowKey="id"
          dataSource={list.items}
          pagination={list.pagination}
          loading={list.loading && !busy}
          scroll={{ x: 900 }}
          locale={{ emptyText: '还没有导入任务' }}
          card={(j) => ({
            title: j.fileName,
            status: j.rowsRejected > 0 ? <Tag color="red">拒绝 {num(j.rowsRejected)}</Tag> : undefined,
            lines: [
              `${j.kindLabel}${sheetsOf(j)} · ${when(j.createdAt)}`,
              progress(j),
              `读取 ${num(j.rowsRead)}${j.partial ? '（本辖区）' : ''} · 接受 ${num(j.rowsAccepted)} · 变更 ${num(j.rowsChanged)}`,
              ops(j),
            ],
          })}
          columns={[
            {
              title: '文件',
              dataIndex: 'fileName',
              render: (n: string, j) => (
                <div>
                  <div>{n}</div>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {j.kindLabel}
                    {sheetsOf(j)} · {when(j.createdAt)}
                  </Typography.Text>
                </div>
              ),
            },
            { title: '进度', key: 'p', width: 280, render: (_, j) => progress(j) },
            {
              title: '读取',
              dataIndex: 'rowsRead',
              width: 80,
              align: 'right',
              render: (n: number, j) =>
                j.partial ? (
                  <Tooltip title="该任务由上级或其他辖区导入，这里只显示涉及本辖区的行">
                    <span>
                      {num(n)} <Tag>本辖区</Tag>
                    </span>
                  </Tooltip>
                ) : (
                  num(n)
                ),
            },
            { title: '接受', dataIndex: 'rowsAccepted', width: 80, align: 'right', render: (n: number) => num(n) },
            {
              title: '拒绝',
              dataIndex: 'rowsRejected',
              width: 80,
              align: 'right',
              render: (n: number) => (n ? <Tag color="red">{num(n)}</Tag> : 0),
            },
            {
              title: '变更',
              dataIndex: 'rowsChanged',
              width: 80,
              align: 'right',
              render: (n: number | null) => num(n),
            },
            { title: '操作', key: 'op', width: 170, render: (_, j) => ops(j) },
          ]}
        />
      </Card>
      <Modal
        open={!!choose}
        title="请选择要导入的工作表"
        okText="导入此工作表"
        cancelText="取消"
        confirmLoading={uploading}
        onCancel={() => setChoose(null)}
        onOk={() => choose && sheet && void upload(choose.file, sheet)}
        okButtonProps={{ disabled: !sheet, 'data-testid': 'sheet-ok' }}
      >
        <Typography.Paragraph type="secondary">{choose?.detail}</Typography.Paragraph>
        <Radio.Group
          value={sheet}
          onChange={(e) => setSheet(e.target.value)}
          options={(choose?.sheets ?? []).map((n) => ({ value: n, label: n }))}
          style={{ display: 'flex', flexDirection: 'column', gap: 8 }}
        />
      </Modal>
      <Modal
        open={!!changes}
        title={`变更摘要：${changes?.job.fileName ?? ''}`}
        footer={null}
        onCancel={() => setChanges(null)}
        width={640}
      >
        <Typography.Paragraph type="secondary">
          这次导入改变了以下已有主体的类型或名称，请核对是否应当如此。
        </Typography.Paragraph>
        <List
          size="small"
          dataSource={changes?.items ?? []}
          renderItem={(c) => (
            <List.Item>
              <a href={`/entities/${c.entityId}`}>{c.entityName ?? `主体 ${c.entityId}`}</a>：{c.text}
            </List.Item>
          )}
        />
      </Modal>
    </div>
  );
}
