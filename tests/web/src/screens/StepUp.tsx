import { useEffect, useState } from "react";
import { adopt, call, client } from "../api/client";
import type { components } from "../api/schema";
import { Heading } from "../ui/Heading";
import { ProblemAlert } from "../ui/ProblemAlert";
import { useAction } from "../ui/useAction";

type Me = components["schemas"]["Me"];

/**
 * Step-up: a second factor already bound to the user (the phone on their application, or the authenticator app
 * enrolled after that, or one of its recovery codes). On success the session JWT carries it and `onDone` runs
 * the action that asked for it.
 */
export function StepUp({ onDone, onCancel }: { onDone: () => void; onCancel: () => void }) {
  const [me, setMe] = useState<Me | null>(null);
  const [smsTo, setSmsTo] = useState<string | null>(null);
  const { busy, failure, run } = useAction();

  useEffect(() => void run(async () => setMe(await call(() => client().GET("/me")))), [run]);

  const passed = async (send: () => ReturnType<typeof sendTotp>) => {
    adopt(await call(send));
    onDone();
  };
  const sendTotp = (code: string) => client().POST("/step-up/totp/authenticate", { body: { code } });

  return (
    <main>
      <Heading>Confirm it's you</Heading>
      <p>This action needs a second factor.</p>
      {me?.boundFactors.totp && (
        <CodeForm
          id="totp-code"
          label="Code from your authenticator app"
          action="Confirm"
          busy={busy}
          onCode={(code) => run(() => passed(() => sendTotp(code)))}
        />
      )}
      {me?.boundFactors.kycPhone && !smsTo && (
        <button
          type="button"
          className={me.boundFactors.totp ? "secondary" : undefined}
          disabled={busy}
          onClick={() =>
            void run(async () => setSmsTo((await call(() => client().POST("/step-up/sms/send"))).phoneNumber))
          }
        >
          Text a code to {me.boundFactors.kycPhone}
        </button>
      )}
      {smsTo && (
        <CodeForm
          id="sms-code"
          label={`Code we texted to ${smsTo}`}
          action="Confirm"
          busy={busy}
          onCode={(code) =>
            run(() => passed(() => client().POST("/step-up/sms/authenticate", { body: { code } })))
          }
        />
      )}
      {me?.boundFactors.totp && (
        <details>
          <summary>Use a recovery code</summary>
          <CodeForm
            id="recovery-code"
            label="Recovery code"
            action="Use recovery code"
            busy={busy}
            onCode={(recoveryCode) =>
              run(() => passed(() => client().POST("/step-up/recover", { body: { recoveryCode } })))
            }
          />
        </details>
      )}
      <ProblemAlert failure={failure} />
      <button type="button" className="secondary" onClick={onCancel}>
        Cancel
      </button>
    </main>
  );
}

export function CodeForm({ id, label, action, busy, onCode }: {
  id: string;
  label: string;
  action: string;
  busy: boolean;
  onCode: (code: string) => void;
}) {
  const [code, setCode] = useState("");
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        onCode(code.trim());
      }}
    >
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        autoComplete="one-time-code"
        inputMode={id === "recovery-code" ? "text" : "numeric"}
        required
        value={code}
        onChange={(event) => setCode(event.target.value)}
      />
      <button type="submit" disabled={busy}>
        {action}
      </button>
    </form>
  );
}
