// DEV ONLY (`vite build --mode sandbox`): the sandbox's outbox, so a person can finish sign-in and step-up by hand
// without a real inbox or phone. It reads GET /__sandbox/outbox through the app server's proxy to the sandbox.
// A production build never contains this module (App.tsx imports it behind VITE_SANDBOX_INBOX; tested).
import { useState } from "react";

type Message = { channel: "email" | "sms"; to: string; token?: string; code?: string; sentAt: string };

export default function SandboxInbox() {
  const [messages, setMessages] = useState<Message[] | null>(null);
  const [error, setError] = useState("");

  const load = async () => {
    setError("");
    try {
      const response = await fetch("/__sandbox/outbox", { cache: "no-store" });
      if (!response.ok) throw new Error(`the sandbox answered ${response.status}`);
      setMessages(((await response.json()) as Message[]).reverse().slice(0, 10));
    } catch (failure) {
      setError(`Could not read the sandbox outbox: ${(failure as Error).message}`);
    }
  };

  return (
    <aside className="sandbox" aria-labelledby="sandbox-inbox">
      <details onToggle={(event) => event.currentTarget.open && void load()}>
        <summary id="sandbox-inbox">Sandbox inbox (dev only)</summary>
        <button type="button" className="secondary" onClick={() => void load()}>
          Refresh inbox
        </button>
        {error && <p role="alert">{error}</p>}
        {messages?.length === 0 && <p>No messages yet.</p>}
        <ul>
          {messages?.map((message) => (
            <li key={`${message.to}-${message.sentAt}`} data-to={message.to}>
              <span className="small">{message.to}: </span>
              {message.token && <a href={`/authenticate?token=${encodeURIComponent(message.token)}`}>Open sign-in link</a>}
              {message.code && (
                <>
                  text code <code>{message.code}</code>
                </>
              )}
            </li>
          ))}
        </ul>
      </details>
    </aside>
  );
}
