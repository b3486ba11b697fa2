import { useQuery } from '@tanstack/react-query';
import type { EventType, Integration, ListOf, PlatformInfo, Schedule, Site } from './api.types';
import { useApi } from '../session/session.context';

// Shared reads; keys name the API path so a mutation can invalidate what it changed.

export function useSites() {
  const api = useApi();
  return useQuery({ queryKey: ['sites'], queryFn: () => api.get<ListOf<Site>>('/sites?limit=1000') });
}

export function useIntegrations() {
  const api = useApi();
  return useQuery({ queryKey: ['integrations'], queryFn: () => api.get<ListOf<Integration>>('/integrations?limit=1000') });
}

export function useIntegration(id: string | null | undefined) {
  const api = useApi();
  return useQuery({ queryKey: ['integrations', id], queryFn: () => api.get<Integration>(`/integrations/${id}`), enabled: !!id });
}

export function usePlatforms() {
  const api = useApi();
  return useQuery({ queryKey: ['platforms'], queryFn: () => api.get<ListOf<PlatformInfo>>('/platforms'), staleTime: Infinity });
}

export function useEventTypes() {
  const api = useApi();
  return useQuery({ queryKey: ['event-types'], queryFn: () => api.get<ListOf<EventType>>('/event-types?limit=1000') });
}

export function useSchedules() {
  const api = useApi();
  return useQuery({ queryKey: ['schedules'], queryFn: () => api.get<ListOf<Schedule>>('/schedules?limit=1000') });
}
