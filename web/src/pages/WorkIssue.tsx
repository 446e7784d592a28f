import { useEffect, useState } from 'react';
import {
  App,
  Button,
  Checkbox,
  DatePicker,
  Drawer,
  Form,
  Input,
  InputNumber,
  Radio,
  Select,
  Space,
  Switch,
  Typography,
  Upload,
} from 'antd';
import { MinusCircleOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import type { BodyOf, ResponseOf } from '@server/http/contract';
import { jurisdictionChildren } from '@server/features/jurisdictions/contract';
import { figureSpec, issueDeployment, newDeployment } from '@server/features/worktasks/contract';
import { call } from '../api';
import { zodRule } from '../components/zodRule';
import { useAuth } from '../auth';
import { applyProblem } from '../components/problem';
import { ACCEPT, uploadAttachment } from '../components/Attachments';
import { today, pickerOf } from '../components/format';

/** The form's fields: the contract's body, with the deadline as a picked day and the figures keyed on submit. */
type Values = Omit<BodyOf<typeof issueDeployment>, 'dueAt' | 'figures'> & {
  due?: Dayjs;
  figures?: { label: string; unit?: string }[];
};
const LEVELS = [
  { value: 'county', label: '全部县（区）局' },
  { value: 'station', label: '全部基层所' },
];

/**
 * 下发通知或工作任务 (or 转派: passing down part of a task received, linked to it). The deadline
 * of a pass-down may not outrun the parent's. Files are uploaded once the record exists.
 */
export function IssueDrawer({
  open,
  onClose,
  onIssued,
  parent,
}: {
  open: boolean;
  onClose: () => void;
  onIssued: (id: number) => void;
  /** A pass-down starts from the task received: its title, requirements, deadline and figures, to trim rather than retype. */
  parent?: {
    targetId: number;
    title: string;
    body: string;
    evidence: string | null;
    dueAt: string | null;
    figures: { label: string; unit?: string }[];
  };
}) {
  const { me } = useAuth();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [children, setChildren] = useState<ResponseOf<typeof jurisdictionChildren>>([]);
  const [files, setFiles] = useState<File[]>([]);
  const [busy, setBusy] = useState(false);
  const kind = Form.useWatch('kind', form) ?? 'task';
  const level = me!.jurisdiction.level;
  useEffect(() => {
    if (open)
      call(jurisdictionChildren, { params: { code: me!.jurisdiction.code } }).then(setChildren, () => setChildren([]));
  }, [open, me]);
  const submit = async (v: Values) => {
    setBusy(true);
    try {
      const body: BodyOf<typeof issueDeployment> = {
        kind: v.kind,
        title: v.title,
        body: v.body,
        receiptRequired: v.receiptRequired ?? true,
        ...(v.due ? { dueAt: v.due.format('YYYY-MM-DD') } : {}),
        ...(v.evidence ? { evidence: v.evidence } : {}),
        targets: v.targets ?? [],
        levels: v.levels ?? [],
        figures: (v.figures ?? [])
          .filter((f) => f?.label)
          .map((f, i) => ({ key: `f${i + 1}`, label: f.label, ...(f.unit ? { unit: f.unit } : {}) })),
        ...(parent ? { parentTargetId: parent.targetId } : {}),
      };
      const { id, withoutAccount } = await call(issueDeployment, { body });
      if (withoutAccount.length)
        message.warning(
          `${withoutAccount.map((n) => n.name).join('、')}尚无可签收、回复的账号，看不到此${v.kind === 'task' ? '任务' : '通知'}：请开通账号，或另行通知`,
          8,
        );
      for (const f of files) {
        try {
          await uploadAttachment('deployment', id, f);
        } catch (e) {
          message.error(applyProblem(null, e));
        }
      }
      if (!parent) message.success(v.kind === 'task' ? '任务已下发' : '通知已下发');
      form.resetFields();
      setFiles([]);
      onIssued(id);
    } catch (e) {
      message.error(applyProblem(form, e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Drawer
      open={open}
      onClose={onClose}
      title={parent ? `转派：${parent.title}` : '下发通知或工作任务'}
      size="large"
      styles={{ wrapper: { maxWidth: '100vw' } }}
      destroyOnHidden
      extra={
        <Button type="primary" loading={busy} onClick={() => form.submit()} data-testid="issue-submit">
          下发
        </Button>
      }
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={
          parent
            ? {
                kind: 'task',
                receiptRequired: true,
                title: parent.title,
                body: parent.body,
                ...(parent.evidence ? { evidence: parent.evidence } : {}),
                ...(parent.dueAt ? { due: pickerOf(parent.dueAt) } : {}),
                figures: parent.figures.map((f) => ({ label: f.label, unit: f.unit })),
              }
            : { kind: 'task', receiptRequired: true }
        }
        onFinish={submit}
      >
        <Form.Item name="kind" label="类别">
          <Radio.Group
            optionType="button"
            options={[
              { value: 'task', label: '工作任务' },
              { value: 'notice', label: '通知' },
            ]}
          />
        </Form.Item>
        <Form.Item
          name="title"
          label="标题"
          rules={[{ required: true, message: '请填写标题' }, zodRule(newDeployment.shape.title)]}
        >
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item
          name="body"
          label={kind === 'task' ? '任务要求' : '正文'}
          rules={[{ required: true, message: '请填写内容' }, zodRule(newDeployment.shape.body)]}
        >
          <Input.TextArea rows={5} maxLength={20000} />
        </Form.Item>
        {kind === 'task' ? (
          <>
            <Form.Item
              name="due"
              label="截止日期"
              rules={[{ required: true, message: '工作任务须设截止日期' }]}
              extra={parent?.dueAt ? `不晚于上级任务截止 ${parent.dueAt.slice(0, 10)}` : undefined}
            >
              <DatePicker
                style={{ width: '100%' }}
                // Days the server would refuse (past, or after the task passed down) are not offered.
                disabledDate={(day) =>
                  day.isBefore(today(), 'day') || (!!parent?.dueAt && day.isAfter(pickerOf(parent.dueAt), 'day'))
                }
              />
            </Form.Item>
            <Form.Item
              name="evidence"
              label="回复要求（办理情况、材料）"
              extra="不得要求拍照打卡；系统已有的记录请让下级关联，不要重复填报"
            >
              <Input.TextArea rows={2} maxLength={2000} />
            </Form.Item>
            <Form.List name="figures">
              {(fields, { add, remove }) => (
                <Form.Item label="要求填报的数字（可选）">
                  {fields.map((f) => (
                    <Space key={f.key} style={{ display: 'flex', marginBottom: 8 }} align="baseline" wrap>
                      <Form.Item
                        name={[f.name, 'label']}
                        noStyle
                        rules={[{ required: true, message: '名称' }, zodRule(figureSpec.shape.label)]}
                      >
                        <Input placeholder="如：走访户数" style={{ width: 160 }} />
                      </Form.Item>
                      <Form.Item name={[f.name, 'unit']} noStyle>
                        <Input placeholder="单位" style={{ width: 72 }} />
                      </Form.Item>
                      <MinusCircleOutlined onClick={() => remove(f.name)} />
                    </Space>
                  ))}
                  <Button type="dashed" icon={<PlusOutlined />} onClick={() => add()}>
                    添加数字项
                  </Button>
                </Form.Item>
              )}
            </Form.List>
          </>
        ) : (
          <>
            <Form.Item name="due" label="签收期限（可选）">
              <DatePicker style={{ width: '100%' }} disabledDate={(day) => day.isBefore(today(), 'day')} />
            </Form.Item>
            <Form.Item name="receiptRequired" label="须签收" valuePropName="checked">
              <Switch />
            </Form.Item>
          </>
        )}
        <Form.Item name="targets" label="下发到">
          <Select
            mode="multiple"
            allowClear
            placeholder="选择下级单位"
            options={children.map((c) => ({ value: c.code, label: c.name }))}
            optionFilterProp="label"
            data-testid="issue-targets"
          />
        </Form.Item>
        {level !== 'station' && level !== 'county' && (
          <Form.Item name="levels" label="或按层级下发">
            <Checkbox.Group options={LEVELS} />
          </Form.Item>
        )}
        {level === 'county' && (
          <Form.Item name="levels" label="或按层级下发">
            <Checkbox.Group options={LEVELS.filter((l) => l.value === 'station')} />
          </Form.Item>
        )}
        <Form.Item label="附件（PDF、图片、Office 文档）">
          <Upload
            accept={ACCEPT}
            multiple
            beforeUpload={(f) => {
              setFiles((x) => [...x, f]);
              return false;
            }}
            onRemove={(f) => setFiles((x) => x.filter((y) => y.name !== f.name))}
            fileList={files.map((f, i) => ({ uid: String(i), name: f.name }))}
          >
            <Button icon={<UploadOutlined />}>选择文件</Button>
          </Upload>
        </Form.Item>
        <Typography.Text type="secondary">
          下发后，下级在工作台看到此项；本级可在"办理情况"中查看签收、回复与逾期。
        </Typography.Text>
        <Form.Item hidden>
          <InputNumber />
        </Form.Item>
      </Form>
    </Drawer>
  );
}
