import { useEffect, useState } from "react";
import { adopt, call, client } from "../api/client";
import type { components } from "../api/schema";
import { Heading } from "../ui/Heading";
import { ProblemAlert } from "../ui/ProblemAlert";
import { useAction } from "../ui/useAction";
import { CodeForm } from "./StepUp";

type Enrolment = components["schemas"]["TotpEnrolment"];

/**
 * Authenticator-app enrolment (needs a stepped-up session: the API answers `step_up_required` otherwise, and the
 * user confirms with their phone first). The secret and the recovery codes are shown this once and kept in
 * this component's state only; they are gone when it closes.
 */
export function TotpEnrolment({ onDone }: { onDone: () => void }) {
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const { busy, failure, run } = useAction();

  useEffect(() => void run(async () => setEnrolment(await call(() => client().POST("/step-up/totp")))), [run]);

  return (
    <main>
      <Heading>Set up an authenticator app</Heading>
      <ProblemAlert failure={failure} />
      {enrolment && (
        <>
          <p>Scan this code with your authenticator app, or type the key by hand.</p>
          <img className="qr" src={enrolment.qrCode} alt="QR code to add this account to an authenticator app" />
          <p>
            Key: <code data-testid="totp-secret">{enrolment.secret}</code>
          </p>
          <h2>Recovery codes</h2>
          <p>Each works once if you lose your phone. Save them now: they are not shown again.</p>
          <ul className="codes">
            {enrolment.recoveryCodes.map((code) => (
              <li key={code}>
                <code>{code}</code>
              </li>
            ))}
          </ul>
          <CodeForm
            id="totp-confirm"
            label="Code shown by your app"
            action="Turn on"
            busy={busy}
            onCode={(code) =>
              void run(async () => {
                adopt(await call(() => client().POST("/step-up/totp/authenticate", { body: { code } })));
                onDone();
              })
            }
          />
        </>
      )}
      <button type="button" className="secondary" onClick={onDone}>
        Cancel
      </button>
    </main>
  );
}
