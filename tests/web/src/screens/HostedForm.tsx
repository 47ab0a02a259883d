import { useState } from "react";
import { call, client } from "../api/client";
import type { components } from "../api/schema";
import { ProblemAlert } from "../ui/ProblemAlert";
import { useAction } from "../ui/useAction";

type Application = components["schemas"]["Application"];

/**
 * Unit's hosted application form instead of ours, prefilled with the signed-in user. It opens in a new tab so this
 * one keeps the session (held in memory only); back here, the user asks for the application it created.
 */
export function HostedForm({ onSubmitted }: { onSubmitted: (application: Application) => void }) {
  const [opened, setOpened] = useState(false);
  const { busy, failure, run } = useAction();

  const open = () =>
    void run(async () => {
      const form = await call(() => client().POST("/applications/form"));
      window.open(form.url, "_blank", "noopener");
      setOpened(true);
    });
  const check = () => void run(async () => onSubmitted(await call(() => client().GET("/applications/current"))));

  return (
    <section aria-labelledby="hosted-form">
      <h2 id="hosted-form">Or use our banking partner's form</h2>
      {opened ? (
        <>
          <p>Finish the form in the new tab, then come back here.</p>
          <button type="button" onClick={check} disabled={busy}>
            I sent it: check my application
          </button>
        </>
      ) : (
        <button type="button" className="secondary" onClick={open} disabled={busy}>
          Apply on Unit's form
        </button>
      )}
      <ProblemAlert failure={failure} />
    </section>
  );
}
