import { Table, type TableColumnsType } from 'antd';

/**
 * A node's children with their figures, one row each, the name first; clicking a row drills into
 * that child (the figure cards of instructors, assistance, new employment and appeals share it).
 */
export function ChildrenTable<T extends { code: string; name: string }>({
  rows,
  columns,
  onDrill,
  nameTitle = '辖区',
  nameWidth,
  scrollX,
}: {
  rows: T[];
  columns: TableColumnsType<T>;
  onDrill: (code: string) => void;
  nameTitle?: string;
  nameWidth?: number;
  scrollX?: number;
}) {
  return (
    <Table<T>
      rowKey="code"
      size="small"
      pagination={false}
      dataSource={rows}
      style={{ marginTop: 12 }}
      scroll={scrollX ? { x: scrollX } : undefined}
      onRow={(c) => ({ onClick: () => onDrill(c.code), style: { cursor: 'pointer' } })}
      locale={{ emptyText: '没有下级辖区' }}
      columns={[{ title: nameTitle, dataIndex: 'name', width: nameWidth }, ...columns]}
    />
  );
}
