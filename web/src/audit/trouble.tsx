// A problem as the auditor reads it: the API's own sentence (ProblemBox), or the sentence of a check made here.
import { ApiError, OfflineError } from '../api.js';
import { ProblemBox } from '../ui/problem.js';

export function Trouble({ error }: { error: unknown }) {
  if (error === null || error === undefined) return null;
  if (error instanceof ApiError || error instanceof OfflineError || !(error instanceof Error)) {
    return <ProblemBox error={error} />;
  }
  const code = (error as { code?: unknown }).code;
  return (
    <div class="problem" role="alert">
      <strong>{error.message}</strong> {typeof code === 'string' && <code>{code}</code>}
    </div>
  );
}
