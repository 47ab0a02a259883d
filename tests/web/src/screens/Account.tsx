import { useEffect, useState } from "react";
import { call, client } from "../api/client";
import type { components } from "../api/schema";
import { Heading } from "../ui/Heading";
import { ProblemAlert } from "../ui/ProblemAlert";
import { useAction } from "../ui/useAction";
import { TotpEnrolment } from "./TotpEnrolment";

type Me = components["schemas"]["Me"];

const FACTOR_NAMES: Record<string, string> = {
  magic_link: "Email link",
  otp: "Text message code",
  totp: "Authenticator app",
  recovery_codes: "Recovery code",
};

export function Account() {
  const [me, setMe] = useState<Me | null>(null);
  const [enrolling, setEnrolling] = useState(false);
  const { busy, failure, run } = useAction();

  const load = () => run(async () => setMe(await call(() => client().GET("/me"))));
  useEffect(() => void load(), []); // eslint-disable-line react-hooks/exhaustive-deps -- once, on arrival

  if (enrolling) {
    return (
      <TotpEnrolment
        onDone={() => {
          setEnrolling(false);
          void load();
        }}
      />
    );
  }
  return (
    <main>
      <Heading>Account</Heading>
      <ProblemAlert failure={failure} />
      {me && (
        <>
          <dl>
            <dt>Email</dt>
            <dd>{me.emails.join(", ")}</dd>
            <dt>Phone for codes</dt>
            <dd>{me.boundFactors.kycPhone ?? "none yet (it comes from your application)"}</dd>
            <dt>Authenticator app</dt>
            <dd>{me.boundFactors.totp ? "Set up" : "Not set up"}</dd>
            <dt>Card changes allowed</dt>
            <dd>
              {me.stepUp.passes
                ? `Yes, until ${new Date(me.stepUp.until ?? "").toLocaleTimeString()}`
                : "After you confirm it's you"}
            </dd>
          </dl>
          <h2>How you signed in this time</h2>
          <ul>
            {me.factors.map((factor) => (
              <li key={`${factor.type}-${factor.lastAuthenticatedAt}`}>
                {FACTOR_NAMES[factor.type] ?? factor.type}, {new Date(factor.lastAuthenticatedAt).toLocaleString()}
                {factor.bound ? " (linked to you)" : ""}
              </li>
            ))}
          </ul>
          {!me.boundFactors.totp && (
            <button type="button" onClick={() => setEnrolling(true)}>
              Set up an authenticator app
            </button>
          )}
        </>
      )}
      {busy && <p role="status">Loading…</p>}
    </main>
  );
}
