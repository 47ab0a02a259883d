import type { Failure } from "./useAction";

/** Worth trying again as it is: the network, throttling, or a fault upstream. */
function retryable(status: number): boolean {
  return status === 0 || status === 429 || status >= 500;
}

export function ProblemAlert({ failure }: { failure: Failure | null }) {
  if (!failure) return null;
  const { problem, retry } = failure;
  return (
    <div className="alert" role="alert">
      <p>{problem.message}</p>
      {problem.body.errors && (
        <ul>
          {problem.body.errors.map((error) => (
            <li key={error.field}>
              {error.field}: {error.reason}
            </li>
          ))}
        </ul>
      )}
      {problem.requestId && <p className="small">Reference: {problem.requestId}</p>}
      {retryable(problem.status) && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}
