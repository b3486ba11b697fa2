import { Alert, Button, Text } from '@mantine/core';
import { Component, type ErrorInfo, type ReactNode } from 'react';

/** A page that fails to render says so in words (instead of a blank window); the rest still works. */
export class PageErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('page failed to render', error, info.componentStack);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <Alert color="red" title="This page failed to show" role="alert">
        <Text size="sm">Something in the answer was not what the console expected ({this.state.error.message}). Other pages still work.</Text>
        <Button mt="xs" size="xs" variant="outline" color="red" onClick={() => window.location.reload()}>
          Reload
        </Button>
      </Alert>
    );
  }
}
