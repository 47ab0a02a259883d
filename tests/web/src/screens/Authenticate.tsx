import { useEffect, useRef } from "react";
import { adopt, call, client } from "../api/client";
import { Heading } from "../ui/Heading";
import { ProblemAlert } from "../ui/ProblemAlert";
import { useAction } from "../ui/useAction";

/** The magic link's landing page (`/authenticate?token=…`, the configured redirect URL). */
export function Authenticate({ token, onSignedIn, onRestart }: {
  token: string;
  onSignedIn: () => void;
  onRestart: () => void;
}) {
  const { failure, run } = useAction();
  const started = useRef(false);

  useEffect(() => {
    // The token works once: never send it twice, and take it out of the address bar and history.
    if (started.current) return;
    started.current = true;
    window.history.replaceState(null, "", "/");
    void run(async () => {
      adopt(await call(() => client().POST("/signup/authenticate", { body: { token } })));
      onSignedIn();
    });
  }, [token, run, onSignedIn]);

  return (
    <main>
      <Heading>Signing you in…</Heading>
      <ProblemAlert failure={failure && { ...failure, retry: onRestart }} />
      {failure && (
        <button type="button" onClick={onRestart}>
          Ask for a new link
        </button>
      )}
    </main>
  );
}
