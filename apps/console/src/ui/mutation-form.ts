import type { FormEvent } from 'react';
import { ApiError } from '../api/problem.util';

/**
 * What every form of the console does with its save mutation: submitting runs it (no page load),
 * and each field shows the API's problem for it, in plain words, beside the field.
 */
export function mutationForm(mutation: { error: unknown; mutate: () => void }) {
  return {
    fieldError: (field: string) => (mutation.error instanceof ApiError ? mutation.error.fieldProblems(field) : undefined),
    submit: (event: FormEvent) => {
      event.preventDefault();
      mutation.mutate();
    },
  };
}
