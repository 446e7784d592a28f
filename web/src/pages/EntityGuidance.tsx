import { useCallback, useState } from 'react';
import { Alert, Button, Card, List, Typography } from 'antd';
import { EditOutlined, PaperClipOutlined } from '@ant-design/icons';
import type { ResponseOf } from '@server/http/contract';
import { listGuidance } from '@server/features/instructors/contract';
import { call } from '../api';
import { useAuth } from '../auth';
import { GuidanceForm } from './GuidanceForm';
import { useMyInstructorWork } from './MyInstructorWork';
import { emptyWhileLoading, useLoad } from '../components/Loading';

/**
 * An entity's guidance records (指导记录), newest first, with 记走访 at hand for whoever logs
 * guidance: an instructor who opened the entity from its round logs the visit where it stands.
 */
export function EntityGuidance({ entity }: { entity: { id: number; name: string } }) {
  const { can } = useAuth();
  const [mine, reloadMine] = useMyInstructorWork();
  const [logging, setLogging] = useState(false);
  // A refusal is said as one, not as 还没有…记录 (what it read before).
  const {
    data: page,
    loading,
    error,
    reload: load,
  } = useLoad<ResponseOf<typeof listGuidance>>(
    useCallback(() => call(listGuidance, { query: { entityId: entity.id, pageSize: 5 } }), [entity.id]),
  );
  return (
    <Card
      title={`指导记录${page ? `（${page.total}）` : ''}`}
      size="small"
      style={{ marginBottom: 16 }}
      data-testid="entity-guidance"
      extra={
        can('guidance.write') && (
          <Button size="small" type="primary" icon={<EditOutlined />} onClick={() => setLogging(true)}>
            记走访
          </Button>
        )
      }
    >
      {error && <Alert type="error" showIcon title={error} />}
      <List
        size="small"
        dataSource={page?.items ?? []}
        loading={loading}
        locale={{ emptyText: emptyWhileLoading(loading, error ? '' : '还没有指导员来这里走访、指导的记录。') }}
        renderItem={(g) => (
          <List.Item style={{ paddingInline: 0, display: 'block' }}>
            <Typography.Text type="secondary">
              {g.onDate} {g.kindLabel} · {g.instructorName}
            </Typography.Text>
            <div style={{ overflowWrap: 'anywhere' }}>{g.content}</div>
            {g.files.length > 0 && (
              <Typography.Text type="secondary">
                <PaperClipOutlined /> 照片 {g.files.length} 张
              </Typography.Text>
            )}
          </List.Item>
        )}
      />
      {logging && (
        <GuidanceForm
          instructor={mine?.instructor ?? undefined}
          entity={entity}
          onClose={() => setLogging(false)}
          onSaved={() => {
            setLogging(false);
            void load();
            reloadMine();
          }}
        />
      )}
    </Card>
  );
}
