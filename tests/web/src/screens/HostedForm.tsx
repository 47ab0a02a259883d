import { useState } from "react";
import { call, client } from "../api/client";
import type { components } from "../api/schema";
import { ProblemAlert } from "../ui/ProblemAlert";
import { useAction } from "../ui/useAction";

type Application = components["schemas"]["Application"];

/**
 * Unit's hosted application form instead of ours, prefilled with the signed-in user. It opens in a new tab so this
 * one keeps the session (held in memory only); back here, the user asks for the application it created. Once
 * submitted, Unit sends the form's tab to APPLICATION_FORM_REDIRECT_URL, which shows `FormSent`.
 */
export function HostedForm({ onSubmitted }: { onSubmitted: (application: Application) => void }) {
  const [opened, setOpened] = useState(false);
  const { busy, failure, run } = useAction();

  const open = () =>
    void run(async () => {
      const form = await call(() => client().POST("/application-forms"));
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

/** The form's tab after Unit's redirect: it has no session (tokens live in the first tab's memory). */
export function FormSent() {
  return (
    <main>
      <h1 tabIndex={-1}>Application sent</h1>
      <p>Thank you. You can close this tab and go back to the tab where you started to see your application.</p>
    </main>
  );
}
