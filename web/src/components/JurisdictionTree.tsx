import { useCallback, useState } from 'react';
import { Tree } from 'antd';
import type { TreeDataNode } from 'antd';
import { call } from '../api';
import { getJurisdiction, jurisdictionChildren } from '@server/features/jurisdictions/contract';
import { Loaded, useLoad } from './Loading';

export type { JurisdictionNode as JNode } from '@server/features/jurisdictions/contract';
import type { JurisdictionNode as JNode } from '@server/features/jurisdictions/contract';

const toTree = (n: JNode): TreeDataNode => ({ key: n.code, title: n.name, isLeaf: n.childCount === 0 });

function insertChildren(list: TreeDataNode[], key: React.Key, children: TreeDataNode[]): TreeDataNode[] {
  return list.map((n) =>
    n.key === key ? { ...n, children } : n.children ? { ...n, children: insertChildren(n.children, key, children) } : n,
  );
}

/** The user's subtree, loaded one level at a time (the national tree is never loaded whole). */
export function JurisdictionTree({
  root,
  selected,
  onSelect,
  reloadKey,
}: {
  root: string;
  selected?: string;
  onSelect: (code: string, node?: JNode) => void;
  reloadKey?: number;
}) {
  const [nodes] = useState(() => new Map<string, JNode>());
  const [expanded, setExpanded] = useState<React.Key[]>([root]);
  // The shared pattern (useLoad): an error goes once the tree is read again (a new reloadKey), and an
  // answer to an older read is dropped.
  const first = useLoad(
    useCallback(async () => {
      const [self, children] = await Promise.all([
        call(getJurisdiction, { params: { code: root } }),
        call(jurisdictionChildren, { params: { code: root } }),
      ]);
      [self, ...children].forEach((n) => nodes.set(n.code, n));
      return [{ ...toTree(self), children: children.map(toTree) }];
      // eslint-disable-next-line react-hooks/exhaustive-deps -- a new reloadKey asks for the tree afresh (a station added or renamed)
    }, [root, nodes, reloadKey]),
  );
  // The levels opened since, grown on the tree they were opened in (not on a tree read again since).
  const [grown, setGrown] = useState<{ from: TreeDataNode[]; tree: TreeDataNode[] } | null>(null);
  const tree = grown && grown.from === first.data ? grown.tree : first.data;

  const loadData = async (node: TreeDataNode) => {
    const from = first.data;
    if (node.children || !from) return;
    const children = await call(jurisdictionChildren, { params: { code: String(node.key) } });
    children.forEach((n) => nodes.set(n.code, n));
    setGrown((g) => ({
      from,
      tree: insertChildren(g && g.from === from ? g.tree : from, node.key, children.map(toTree)),
    }));
  };

  return (
    <Loaded data={tree} error={first.error}>
      {(tree) => (
        <Tree
          treeData={tree}
          loadData={loadData}
          expandedKeys={expanded}
          onExpand={setExpanded}
          selectedKeys={selected ? [selected] : []}
          onSelect={(keys) => keys[0] && onSelect(String(keys[0]), nodes.get(String(keys[0])))}
          style={{ maxHeight: 'calc(100vh - 220px)', overflow: 'auto' }}
        />
      )}
    </Loaded>
  );
}
