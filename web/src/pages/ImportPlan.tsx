import { useEffect, useMemo, useState } from 'react';
import { Alert, App, Button, Card, Checkbox, Descriptions, Input, Select, Space, Table, Tag, Typography } from 'antd';
import { call } from '../api';
import { applyProblem } from '../components/problem';
import type { ResponseOf } from '@server/http/contract';
import { IMPORT_KIND_SHORT } from '@domain/import/labels';
import {
  listImportProfiles,
  planImport,
  saveImportProfile,
  startImport,
  type ImportKind,
  type ImportProfile as Profile,
} from '@server/features/imports/contract';

export type Preview = ResponseOf<typeof planImport>;
/** How the file was read; a CSV also names its encoding (below). */
const FORMAT_LABEL: Partial<Record<Preview['format'], string>> = {
  xlsx: 'Excel 工作簿（.xlsx）',
  xlsb: 'Excel 二进制工作簿（.xlsb）',
  xls: '旧版 Excel 工作簿（.xls）',
  ods: 'OpenDocument 表格（.ods）',
};
const ENCODING_LABEL: Record<NonNullable<Preview['encoding']>, string> = {
  utf8: 'UTF-8',
  gb18030: 'GB18030/GBK',
  utf16le: 'UTF-16',
  utf16be: 'UTF-16',
};
const NONE = '__none__';

/**
 * The column plan of an uploaded file, before anything is imported: which column feeds which
 * field and which are left out; a mapping step (choose the column for each field, preview the
 * first rows) when a required field has no column; warnings to acknowledge; saved source profiles.
 */
export function ImportPlan({
  kind,
  preview,
  onChange,
  onSwitchKind,
  onStarted,
  onClose,
}: {
  kind: ImportKind;
  preview: Preview;
  onChange: (p: Preview) => void;
  /** The upload was planned as another kind (the one its header more likely is). */
  onSwitchKind: (kind: ImportKind) => void;
  onStarted: () => void;
  onClose: () => void;
}) {
  const { message } = App.useApp();
  const [mapping, setMapping] = useState<Record<string, string>>(preview.mapping);
  const [profiles, setProfiles] = useState<Profile[]>([]);
  const [profile, setProfile] = useState<string | undefined>();
  const [profileName, setProfileName] = useState('');
  const [ack, setAck] = useState(false);
  const [fullRoster, setFullRoster] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    void call(listImportProfiles, { query: { kind } }).then(setProfiles, () => setProfiles([]));
  }, [kind]);
  useEffect(() => setAck(false), [preview.warnings.length]);

  /** Plans the upload again: with another mapping or profile, as another kind (`as`), or from one of the sheets it would read together. */
  const replan = async (
    next: Record<string, string>,
    useProfile?: string,
    as: ImportKind = kind,
    sheet = preview.sheet,
  ) => {
    setBusy(true);
    setError(null);
    try {
      const p = await call(planImport, {
        params: { kind: as },
        body: {
          upload: preview.upload,
          mapping: next,
          ...(useProfile ? { profile: useProfile } : {}),
          ...(sheet ? { sheet } : {}),
        },
      });
      setMapping(p.mapping);
      if (as !== kind) onSwitchKind(as);
      onChange(p);
    } catch (e) {
      setError(applyProblem(null, e));
    } finally {
      setBusy(false);
    }
  };
  const choose = (field: string, header: string | undefined) =>
    void replan({ ...mapping, [field]: header === undefined || header === NONE ? '' : header });

  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      await call(startImport, {
        params: { kind },
        body: {
          upload: preview.upload,
          mapping,
          acknowledge: ack ? preview.warnings.map((w) => w.header) : [],
          ...(preview.sheet ? { sheet: preview.sheet } : {}),
          fullRoster: kind === 'roster' && fullRoster,
        },
      });
      message.success(`已开始导入 ${preview.fileName}`);
      onStarted();
    } catch (e) {
      setError(applyProblem(null, e));
    } finally {
      setBusy(false);
    }
  };

  const saveProfile = async () => {
    try {
      const p = await call(saveImportProfile, { body: { kind, name: profileName.trim(), mapping } });
      setProfiles((ps) => [...ps.filter((x) => x.id !== p.id), p]);
      setProfile(p.name);
      message.success(`已保存来源配置"${p.name}"`);
    } catch (e) {
      message.error(applyProblem(null, e));
    }
  };

  const options = useMemo(
    () => [
      { value: NONE, label: '（不使用）' },
      ...preview.headers.filter(Boolean).map((h) => ({ value: h, label: h })),
    ],
    [preview.headers],
  );
  const mappedFields = preview.fields.filter((f) => f.column);
  const startable = !preview.missing.length && (!preview.warnings.length || ack);

  return (
    <Card
      size="small"
      title={`列对应：${preview.fileName}`}
      style={{ marginBottom: 16 }}
      extra={<a onClick={onClose}>放弃</a>}
      data-testid="import-plan"
    >
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Descriptions
          size="small"
          column={{ xs: 1, sm: 3 }}
          items={[
            {
              label: '格式',
              children: FORMAT_LABEL[preview.format] ?? `CSV（${ENCODING_LABEL[preview.encoding ?? 'utf8']}）`,
            },
            { label: '表头所在行', children: `第 ${preview.headerRowNo} 行` },
            { label: '列数', children: preview.headers.length },
          ]}
        />
        {error && <Alert type="error" showIcon title={error} closable onClose={() => setError(null)} />}
        {preview.likelierKind && (
          <Alert
            type="info"
            showIcon
            data-testid="import-likelier"
            title={`这个文件的表头更像"${IMPORT_KIND_SHORT[preview.likelierKind]}"：按"${IMPORT_KIND_SHORT[kind]}"导入缺少必需项，按"${IMPORT_KIND_SHORT[preview.likelierKind]}"导入可识别全部必需项。`}
            action={
              <Button size="small" type="primary" onClick={() => void replan({}, undefined, preview.likelierKind!)}>
                改为按{IMPORT_KIND_SHORT[preview.likelierKind]}导入
              </Button>
            }
          />
        )}
        {preview.otherList && (
          <Alert type="warning" showIcon data-testid="import-other-list" title={preview.otherList} />
        )}
        {preview.sheets && (
          <Alert
            type="info"
            showIcon
            data-testid="import-sheets"
            title={`将一次导入工作簿的 ${preview.sheets.length} 个工作表：${preview.sheets.join('、')}（各表表头相同，按顺序读取；被拒绝的行注明工作表与行号）。`}
            description={
              kind === 'roster' && !preview.fields.find((f) => f.field === 'orgRelation')?.column
                ? '文件没有"所在党支部"列：工作表的名称不会记为党员的所在党支部，需要时请在各表中加上这一列。'
                : undefined
            }
            action={
              <Select
                size="small"
                style={{ width: 180 }}
                placeholder="只导入其中一个工作表"
                options={preview.sheets.map((s) => ({ value: s, label: s }))}
                onChange={(s: string) => void replan(mapping, undefined, kind, s)}
                data-testid="import-one-sheet"
              />
            }
          />
        )}
        {preview.footer && <Alert type="info" showIcon data-testid="import-footer" title={preview.footer} />}
        {preview.hiddenRows && (
          <Alert type="warning" showIcon data-testid="import-hidden-rows" title={preview.hiddenRows} />
        )}
        {preview.missing.length > 0 && (
          <Alert
            type="warning"
            showIcon
            data-testid="import-missing"
            title={`文件中没有找到以下必需项的列：${preview.missing.map((m) => m.label).join('、')}。请在下面为它们选择文件中的列。`}
          />
        )}
        <Space wrap>
          <Typography.Text>来源配置：</Typography.Text>
          <Select
            style={{ width: 220 }}
            allowClear
            placeholder="选择已保存的列对应"
            value={profile}
            onChange={(v?: string) => {
              setProfile(v);
              if (v) void replan({}, v);
            }}
            options={profiles.map((p) => ({ value: p.name, label: p.name }))}
            data-testid="import-profile"
          />
          <Input
            style={{ width: 200 }}
            placeholder="保存为来源配置（名称）"
            value={profileName}
            onChange={(e) => setProfileName(e.target.value)}
            maxLength={60}
          />
          <Button onClick={() => void saveProfile()} disabled={!profileName.trim()}>
            保存列对应
          </Button>
        </Space>
        <Table
          size="small"
          rowKey="field"
          pagination={false}
          loading={busy}
          dataSource={preview.fields}
          scroll={{ x: 700 }}
          columns={[
            {
              title: '导入项',
              dataIndex: 'label',
              width: 220,
              render: (l: string, f) => (
                <span>
                  {l}
                  {f.required && <Typography.Text type="danger"> *</Typography.Text>}
                </span>
              ),
            },
            {
              title: '取自文件中的列',
              key: 'col',
              render: (_, f) => (
                <Select
                  style={{ width: 260 }}
                  value={f.column ?? NONE}
                  options={options}
                  onChange={(v: string) => choose(f.field, v)}
                  status={preview.missing.some((m) => m.field === f.field) ? 'warning' : undefined}
                  data-testid={`map-${f.field}`}
                  showSearch={{ optionFilterProp: 'label' }}
                />
              ),
            },
            {
              title: '前几行的值',
              key: 'v',
              render: (_, f) =>
                f.column ? (
                  <Typography.Text type="secondary">
                    {preview.sample.map((s) => s.values[f.field] || '（空）').join('、')}
                  </Typography.Text>
                ) : null,
            },
          ]}
        />
        <Table
          size="small"
          rowKey="index"
          pagination={false}
          dataSource={preview.columns.filter((c) => !c.field)}
          title={() => '不导入的列'}
          locale={{ emptyText: '文件中的每一列都会导入' }}
          columns={[
            {
              title: '文件中的列',
              dataIndex: 'header',
              width: 220,
              render: (h: string, c) => h || `第 ${c.index + 1} 列`,
            },
            {
              title: '说明',
              dataIndex: 'note',
              render: (n: string, c) =>
                c.warning ? (
                  <Tag color="orange" style={{ whiteSpace: 'normal' }}>
                    {c.warning}
                  </Tag>
                ) : (
                  <Typography.Text type="secondary">{n}</Typography.Text>
                ),
            },
          ]}
        />
        {mappedFields.length > 0 && (
          <Table
            size="small"
            rowKey={(r) => `${r.sheet ?? ''}:${r.rowNo}`}
            pagination={false}
            dataSource={preview.sample}
            title={() => sampleTitle(preview.sample)}
            scroll={{ x: 'max-content' }}
            data-testid="import-sample"
            columns={[
              ...(preview.sheets ? [{ title: '工作表', dataIndex: 'sheet', width: 100 }] : []),
              { title: '行号', dataIndex: 'rowNo', width: 60 },
              {
                title: '预检',
                key: 'problems',
                width: 240,
                render: (_: unknown, s: Preview['sample'][number]) => <SampleVerdict row={s} />,
              },
              ...mappedFields.map((f) => ({
                title: f.label,
                key: f.field,
                // Each column as wide as its values need: an extract's 住所 and 登记机关 stood a character a line.
                width: WIDE_SAMPLE_FIELDS.has(f.field) ? 220 : 130,
                render: (_: unknown, s: Preview['sample'][number]) =>
                  s.problems.some((p) => p.field === f.field) ? (
                    <Typography.Text type="danger">{s.values[f.field] || '（空）'}</Typography.Text>
                  ) : (
                    s.values[f.field]
                  ),
              })),
            ]}
          />
        )}
        {preview.warnings.length > 0 && (
          <Alert
            type="warning"
            showIcon
            title="以下列看起来有用，但不会导入"
            description={
              <Space orientation="vertical">
                {preview.warnings.map((w) => (
                  <span key={w.header}>{w.reason}</span>
                ))}
                <Checkbox checked={ack} onChange={(e) => setAck(e.target.checked)} data-testid="import-ack">
                  我已知晓，这些列不导入
                </Checkbox>
              </Space>
            }
          />
        )}
        {kind === 'roster' && (
          <Alert
            type="info"
            title={
              <Checkbox
                checked={fullRoster}
                onChange={(e) => setFullRoster(e.target.checked)}
                data-testid="import-full-roster"
              >
                这是所涉党支部的完整名册
              </Checkbox>
            }
            description="勾选后，导入成功时，文件中各党支部（所在党支部列）在本辖区名册中、却不在本文件中的党员，生成“名册中已不存在”核实线索（已转出、停止党籍、去世或仍在册，由工作人员核实）。只导出部分党员的文件请勿勾选。"
          />
        )}
        <Button type="primary" disabled={!startable} loading={busy} onClick={() => void start()}>
          开始导入
        </Button>
      </Space>
    </Card>
  );
}

/** Sample columns of long text (names, addresses, authorities, reasons): wider than codes, dates and words. */
const WIDE_SAMPLE_FIELDS = new Set([
  'name',
  'kind',
  'address',
  'authority',
  'industry',
  'zoneName',
  'orgRelation',
  'workplace',
  'listedReason',
  'listedAuthority',
  'removedReason',
  'removedAuthority',
]);

const sampleTitle = (sample: Preview['sample']) => {
  const refused = sample.filter((s) => s.problems.length).length;
  return `预览：前 ${sample.length} 行将这样导入${refused ? `（其中 ${refused} 行将被拒绝，原因见"预检"列；导入后可下载错误报告修正）` : ''}`;
};

/** A first row's verdict on its own values; its county and station are checked when it is imported. */
function SampleVerdict({ row }: { row: Preview['sample'][number] }) {
  if (!row.problems.length)
    return (
      <Tag color="green" title="所属县区、基层所及文件内的重复在导入时核对">
        格式无误
      </Tag>
    );
  return (
    <Space orientation="vertical" size={0}>
      <Tag color="red">将被拒绝</Tag>
      {row.problems.map((p, i) => (
        <Typography.Paragraph
          type="danger"
          key={i}
          style={{ margin: 0 }}
          ellipsis={{ rows: 3, expandable: true, symbol: '展开' }}
        >
          {/* Most reasons name their column already (成立日期"2021-02-30"不是有效日期). */}
          {p.reason.startsWith(p.label) ? p.reason : `${p.label}：${p.reason}`}
        </Typography.Paragraph>
      ))}
    </Space>
  );
}
