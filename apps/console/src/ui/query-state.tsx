import { Alert, Button, Center, Group, Loader, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { errorText } from '../api/problem.util';

/** A failed call, in plain words, announced to screen readers. */
export function ErrorAlert({ error, title = 'Something went wrong', onRetry }: { error: unknown; title?: string; onRetry?: () => void }) {
  if (!error) return null;
  return (
    <Alert color="red" title={title} role="alert" variant="light">
      <Text size="sm">{errorText(error)}</Text>
      {onRetry && (
        <Button mt="xs" size="xs" variant="outline" color="red" onClick={onRetry}>
          Try again
        </Button>
      )}
    </Alert>
  );
}

/** Loading, failed or empty, else the content: every list and detail of the console goes through it. */
export function QueryState<T>({
  query,
  label,
  empty,
  isEmpty,
  children,
}: {
  query: { isPending: boolean; error: unknown; data: T | undefined; refetch: () => unknown };
  label: string;
  empty?: ReactNode;
  isEmpty?: (data: T) => boolean;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) {
    return (
      <Center py="xl" role="status" aria-live="polite">
        <Group gap="xs">
          <Loader size="sm" />
          <Text size="sm">Loading {label}…</Text>
        </Group>
      </Center>
    );
  }
  if (query.error || query.data === undefined) return <ErrorAlert error={query.error} title={`Could not load ${label}`} onRetry={() => query.refetch()} />;
  if (empty && isEmpty?.(query.data)) {
    return (
      <Text c="dimmed" py="md" role="status">
        {empty}
      </Text>
    );
  }
  return <>{children(query.data)}</>;
}
