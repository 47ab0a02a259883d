import { useState } from "react";
import { call, client } from "../api/client";
import { Heading } from "../ui/Heading";
import { ProblemAlert } from "../ui/ProblemAlert";
import { useAction } from "../ui/useAction";

export function SignIn({ notice, onSent }: { notice?: string; onSent: (email: string) => void }) {
  const [email, setEmail] = useState("");
  const { busy, failure, run } = useAction();

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    void run(async () => {
      await call(() => client().POST("/signup", { body: { email } }));
      onSent(email);
    });
  };

  return (
    <main>
      <Heading>Sign in</Heading>
      {notice && <p role="status">{notice}</p>}
      <p>We email you a link; no password needed. New here? The same link opens your account.</p>
      <form onSubmit={submit}>
        <label htmlFor="email">Email</label>
        <input
          id="email"
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={(event) => setEmail(event.target.value)}
        />
        <button type="submit" disabled={busy}>
          Email me a sign-in link
        </button>
      </form>
      <ProblemAlert failure={failure} />
    </main>
  );
}

export function CheckInbox({ email, onBack }: { email: string; onBack: () => void }) {
  return (
    <main>
      <Heading>Check your inbox</Heading>
      <p>
        We sent a sign-in link to <strong>{email}</strong>. Open it in this browser to continue. It works once and
        expires soon.
      </p>
      <button type="button" className="secondary" onClick={onBack}>
        Use another email
      </button>
    </main>
  );
}
