import { Badge } from '@mantine/core';
import type { SyncStatus } from '../api/api.types';
import { STATUS_COLORS, STATUS_LABELS } from './format.util';

export function StatusBadge({ status, stale }: { status: SyncStatus | null | undefined; stale?: boolean }) {
  if (stale) return <Badge color="orange" variant="light">Stale</Badge>;
  if (!status) return <Badge color="gray" variant="outline">Waiting for first file</Badge>;
  return (
    <Badge color={STATUS_COLORS[status]} variant="light">
      {STATUS_LABELS[status]}
    </Badge>
  );
}
