import { ApiError, OfflineError } from '../api.js';

/** An error as a person reads it: the server's sentence and its code. */
export function ProblemBox({ error }: { error: unknown }) {
  if (error === null || error === undefined) return null;
  if (error instanceof ApiError) {
    return (
      <div class="problem" role="alert">
        <strong>{error.problem.detail}</strong> <code>{error.code}</code>
      </div>
    );
  }
  const text = error instanceof OfflineError ? error.message : `Unexpected error: ${String(error)}`;
  return (
    <div class="problem" role="alert">
      <strong>{text}</strong>
    </div>
  );
}
