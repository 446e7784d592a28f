import { useState } from 'react';
import { App, Button, Checkbox, Form, Input, Select, Space, Typography, Upload, type UploadFile } from 'antd';
import { CameraOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { call } from '../api';
import { uploadAttachment } from '../components/Attachments';
import { applyProblem } from '../components/problem';
import type { BodyOf } from '@server/http/contract';
import { createGuidance, type InstructorRow } from '@server/features/instructors/contract';
import { FormModal } from '../components/FormModal';
import { SearchSelect } from '../components/SearchSelect';
import { isFuture, toOptions, ymd, today } from '../components/format';
import { DateField } from '../components/DateField';
import { GUIDANCE_KIND_LABEL } from '../components/labels';
import type { EntityRow } from './Entities';
import type { OrgRow } from './OrgDrawer';

/** What the instructor picker needs of a roster row. */
type InstructorOption = InstructorRow;

type NewGuidance = Omit<BodyOf<typeof createGuidance>, 'onDate'> & {
  target: 'entity' | 'org';
  onDate: dayjs.Dayjs;
  hasFollowUp?: boolean;
};

/** Uploads the photos onto the saved record; the names of those refused, with the reason. */
async function attachPhotos(recordId: number, photos: UploadFile[]): Promise<string[]> {
  const refused: string[] = [];
  for (const p of photos) {
    await uploadAttachment('guidance_record', recordId, p.originFileObj as File).catch((e: unknown) =>
      refused.push(`${p.name}（${applyProblem(null, e)}）`),
    );
  }
  return refused;
}

/**
 * Logs one visit or guidance, with photos taken there; the instructor is fixed when opened from an
 * instructor's page or by the instructor's own account, the entity when opened from its row.
 */
export function GuidanceForm({
  instructor,
  entity,
  onClose,
  onSaved,
}: {
  instructor?: { id: number; name: string };
  entity?: { id: number; name: string };
  onClose: () => void;
  onSaved: () => void;
}) {
  const { message } = App.useApp();
  const [photos, setPhotos] = useState<UploadFile[]>([]);
  return (
    <FormModal<NewGuidance>
      title={instructor ? `登记指导：${instructor.name}` : '登记指导'}
      okText="保存"
      onClose={onClose}
      initialValues={{
        instructorId: instructor?.id,
        target: 'entity',
        onDate: today(),
        kind: 'visit',
      }}
      onSubmit={async (v) => {
        const { id } = await call(createGuidance, {
          body: {
            instructorId: instructor?.id ?? v.instructorId,
            entityId: entity?.id ?? (v.target === 'entity' ? v.entityId : undefined),
            orgId: v.target === 'org' ? v.orgId : undefined,
            onDate: ymd(v.onDate)!,
            kind: v.kind,
            content: v.content,
            followUp: v.hasFollowUp && v.followUp ? v.followUp : undefined,
          },
        });
        const refused = await attachPhotos(id, photos);
        if (refused.length) message.warning(`指导记录已保存，以下照片未能上传：${refused.join('；')}`, 8);
        else message.success(photos.length ? `已登记，附照片 ${photos.length} 张` : '已登记');
        onSaved();
      }}
    >
      {!instructor && (
        <Form.Item name="instructorId" label="指导员" rules={[{ required: true, message: '请选择指导员' }]}>
          <SearchSelect<InstructorOption>
            path="/instructors"
            query={{ status: 'active' }}
            placeholder="输入姓名查找"
            toOption={(i) => ({ value: i.id, label: `${i.name}${i.stationName ? ` · ${i.stationName}` : ''}` })}
          />
        </Form.Item>
      )}
      <Space wrap align="start">
        <Form.Item name="onDate" label="日期" rules={[{ required: true, message: '请选择日期' }]}>
          <DateField disabledDate={isFuture} />
        </Form.Item>
        <Form.Item name="kind" label="方式">
          <Select style={{ width: 150 }} options={toOptions(GUIDANCE_KIND_LABEL)} />
        </Form.Item>
        {!entity && (
          <Form.Item name="target" label="对象">
            <Select
              style={{ width: 120 }}
              options={[
                { value: 'entity', label: '市场主体' },
                { value: 'org', label: '党组织' },
              ]}
            />
          </Form.Item>
        )}
      </Space>
      {entity ? (
        <Form.Item label="市场主体">
          <Typography.Text strong>{entity.name}</Typography.Text>
        </Form.Item>
      ) : (
        <Form.Item noStyle dependencies={['target']}>
          {({ getFieldValue }) =>
            getFieldValue('target') === 'org' ? (
              <Form.Item name="orgId" label="党组织" rules={[{ required: true, message: '请选择党组织' }]}>
                <SearchSelect<OrgRow>
                  path="/orgs"
                  placeholder="输入名称查找"
                  toOption={(o) => ({ value: o.id, label: o.name })}
                />
              </Form.Item>
            ) : (
              <Form.Item name="entityId" label="市场主体" rules={[{ required: true, message: '请选择市场主体' }]}>
                <SearchSelect<EntityRow>
                  path="/entities"
                  placeholder="输入名称查找"
                  toOption={(e) => ({
                    value: e.id,
                    label: `${e.name}${e.stationName ? ` · ${e.stationName}` : ''}`,
                  })}
                />
              </Form.Item>
            )
          }
        </Form.Item>
      )}
      <Form.Item
        name="content"
        label="做了什么"
        rules={[{ required: true, min: 4, message: '请填写指导内容（至少 4 个字）' }]}
      >
        <Input.TextArea rows={3} maxLength={2000} showCount />
      </Form.Item>
      <Form.Item label="现场照片（可不传）">
        <Upload
          // A list of names, not thumbnails: the content security policy keeps blob: images out.
          accept="image/*"
          multiple
          maxCount={6}
          fileList={photos}
          beforeUpload={() => false}
          onChange={({ fileList }) => setPhotos(fileList)}
        >
          <Button icon={<CameraOutlined />}>拍照或选择照片</Button>
        </Upload>
      </Form.Item>
      <Form.Item name="hasFollowUp" valuePropName="checked">
        <Checkbox>有需要跟进的事项</Checkbox>
      </Form.Item>
      <Form.Item noStyle dependencies={['hasFollowUp']}>
        {({ getFieldValue }) =>
          getFieldValue('hasFollowUp') && (
            <Form.Item name="followUp" label="后续事项" rules={[{ required: true, message: '请填写后续事项' }]}>
              <Input maxLength={500} />
            </Form.Item>
          )
        }
      </Form.Item>
    </FormModal>
  );
}
