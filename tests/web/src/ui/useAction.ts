import { createContext, useCallback, useContext, useState } from "react";
import { ApiProblem } from "../api/problem";

/** Runs `resume` once the user has passed step-up (provided by App). */
export const StepUpContext = createContext<(resume: () => void) => void>(() => undefined);

export type Failure = { problem: ApiProblem; retry: () => void };

/**
 * One user action at a time: busy while it runs, its failure (with a retry) afterwards. An action the API answers
 * with `step_up_required` goes through step-up and is then run again, unchanged (same idempotency key).
 */
export function useAction() {
  const stepUp = useContext(StepUpContext);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);

  const run = useCallback(
    async function run(action: () => Promise<void>): Promise<void> {
      setBusy(true);
      setFailure(null);
      try {
        await action();
      } catch (error) {
        const problem = error instanceof ApiProblem ? error : new ApiProblem("unexpected_response", 0);
        if (problem.code === "step_up_required") stepUp(() => void run(action));
        else setFailure({ problem, retry: () => void run(action) });
      } finally {
        setBusy(false);
      }
    },
    [stepUp],
  );

  return { busy, failure, run };
}
