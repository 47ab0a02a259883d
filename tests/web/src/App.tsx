import { lazy, Suspense, useCallback, useEffect, useRef, useState } from "react";
import { call, client, logout, refresh } from "./api/client";
import * as tokens from "./session/tokens";
import { Account } from "./screens/Account";
import { Authenticate } from "./screens/Authenticate";
import { Cards } from "./screens/Cards";
import { FormSent } from "./screens/HostedForm";
import { Onboarding } from "./screens/Onboarding";
import { CheckInbox, SignIn } from "./screens/SignIn";
import { StepUp } from "./screens/StepUp";
import { StepUpContext } from "./ui/useAction";

// Dev-only: in a production build this constant is false and the module is never bundled.
const SandboxInbox =
  import.meta.env.VITE_SANDBOX_INBOX === "true" ? lazy(() => import("./dev/SandboxInbox")) : null;

type Screen =
  | { name: "signIn"; notice?: string }
  | { name: "checkInbox"; email: string }
  | { name: "authenticate"; token: string }
  | { name: "formSent" }
  | { name: "onboarding"; email: string }
  | { name: "cards" }
  | { name: "account" };

function firstScreen(): Screen {
  const query = new URLSearchParams(window.location.search);
  const token = query.get("token");
  if (window.location.pathname === "/authenticate" && token) return { name: "authenticate", token };
  // Where Unit's hosted form sends the applicant once submitted (APPLICATION_FORM_REDIRECT_URL): the form's tab.
  if (query.get("step") === "application-form") return { name: "formSent" };
  return { name: "signIn" };
}

export function App() {
  const [screen, setScreen] = useState<Screen>(firstScreen);
  // The action waiting for step-up; while set, the step-up screen covers the current one (kept mounted).
  const [stepUp, setStepUp] = useState<(() => void) | null>(null);
  const onboarded = screen.name === "cards" || screen.name === "account";
  const signedIn = onboarded || screen.name === "onboarding";

  useEffect(
    () =>
      tokens.onChange((nowSignedIn) => {
        if (!nowSignedIn) {
          setStepUp(null);
          setScreen((current) =>
            current.name === "signIn" ? current : { name: "signIn", notice: "You are signed out." },
          );
        }
      }),
    [],
  );

  const signedInRoute = useCallback(async () => {
    const me = await call(() => client().GET("/me"));
    const onboarded = me.onboarding.applicationStatus === "Approved" || me.onboarding.customerLinked;
    setScreen(onboarded ? { name: "cards" } : { name: "onboarding", email: me.emails[0] ?? "" });
  }, []);

  // Cookie mode: the session token survives a reload in its HttpOnly cookie, so a reload signs the user back in.
  useEffect(() => {
    if (tokens.inCookie() && firstScreen().name === "signIn") {
      refresh()
        .then(signedInRoute)
        .catch(() => undefined);
    }
  }, [signedInRoute]);

  const requireStepUp = useCallback((resume: () => void) => setStepUp(() => resume), []);
  const endStepUp = () => setStepUp(null);
  // Back on the screen that asked for step-up, the focus returns to its heading.
  const steppingUp = useRef(false);
  useEffect(() => {
    if (stepUp) steppingUp.current = true;
    else if (steppingUp.current) {
      steppingUp.current = false;
      document.querySelector<HTMLElement>("main h1")?.focus();
    }
  }, [stepUp]);

  return (
    <StepUpContext.Provider value={requireStepUp}>
      <header>
        <span className="brand">Bank</span>
        {signedIn && !stepUp && (
          <nav aria-label="Main">
            {onboarded && (
              <>
                <button type="button" className="link" onClick={() => setScreen({ name: "cards" })}>
                  Cards
                </button>
                <button type="button" className="link" onClick={() => setScreen({ name: "account" })}>
                  Account
                </button>
              </>
            )}
            <button type="button" className="link" onClick={() => void logout().catch(() => undefined)}>
              Log out
            </button>
          </nav>
        )}
      </header>
      {stepUp && (
        <StepUp
          onDone={() => {
            endStepUp();
            stepUp();
          }}
          onCancel={endStepUp}
        />
      )}
      <div hidden={stepUp !== null}>
        {screen.name === "signIn" && (
          <SignIn notice={screen.notice} onSent={(email) => setScreen({ name: "checkInbox", email })} />
        )}
        {screen.name === "checkInbox" && (
          <CheckInbox email={screen.email} onBack={() => setScreen({ name: "signIn" })} />
        )}
        {screen.name === "authenticate" && (
          <Authenticate
            token={screen.token}
            onSignedIn={() => void signedInRoute().catch(() => setScreen({ name: "signIn" }))}
            onRestart={() => setScreen({ name: "signIn" })}
          />
        )}
        {screen.name === "formSent" && <FormSent />}
        {screen.name === "onboarding" && (
          <Onboarding defaultEmail={screen.email} onDone={() => setScreen({ name: "cards" })} />
        )}
        {screen.name === "cards" && <Cards />}
        {screen.name === "account" && <Account />}
      </div>
      {SandboxInbox && (
        <Suspense fallback={null}>
          <SandboxInbox />
        </Suspense>
      )}
    </StepUpContext.Provider>
  );
}
