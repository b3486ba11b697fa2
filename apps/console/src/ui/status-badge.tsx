import { Badge } from '@mantine/core';
import type { SyncStatus } from '../api/api.types';
import { STATUS_COLORS, STATUS_LABELS } from './format.util';

export function StatusBadge({ status, stale, emptyLabel = 'Waiting for first file' }: { status: SyncStatus | null | undefined; stale?: boolean; emptyLabel?: string }) {
  if (stale) return <Badge color="orange" variant="light">Stale</Badge>;
  if (!status) return <Badge color="gray" variant="outline">{emptyLabel}</Badge>;
  return (
    <Badge color={STATUS_COLORS[status]} variant="light">
      {STATUS_LABELS[status]}
    </Badge>
  );
}
