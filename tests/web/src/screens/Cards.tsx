import { useEffect, useState } from "react";
import { withCustomerToken } from "../api/customerToken";
import { client } from "../api/client";
import type { components } from "../api/schema";
import { Heading } from "../ui/Heading";
import { ProblemAlert } from "../ui/ProblemAlert";
import { useAction } from "../ui/useAction";

type Card = components["schemas"]["Card"];
type Action = "freeze" | "unfreeze" | "report-lost" | "report-stolen" | "close";

const LABELS: Record<Action, string> = {
  freeze: "Freeze",
  unfreeze: "Unfreeze",
  "report-lost": "Report lost",
  "report-stolen": "Report stolen",
  close: "Close",
};

/** The actions Unit allows from each status (README, "Statuses and what each action does"). */
function actionsFor(status: string): Action[] {
  switch (status) {
    case "Active":
      return ["freeze", "report-lost", "report-stolen", "close"];
    case "Frozen":
      return ["unfreeze", "report-lost", "report-stolen", "close"];
    case "Inactive":
      return ["report-lost", "report-stolen", "close"];
    default:
      return [];
  }
}

const STATUS_TEXT: Record<string, string> = {
  Active: "Active",
  Inactive: "Not activated yet (on its way)",
  Frozen: "Frozen",
  Lost: "Reported lost",
  Stolen: "Reported stolen",
  ClosedByCustomer: "Closed",
  SuspectedFraud: "Blocked: suspected fraud",
};

export function Cards() {
  const [cards, setCards] = useState<Card[] | null>(null);
  const [notice, setNotice] = useState("");
  const { busy, failure, run } = useAction();

  const load = () =>
    run(async () => {
      const list = await withCustomerToken(false, (headers) => client().GET("/cards", { headers }));
      setCards(list.cards);
    });
  useEffect(() => void load(), []); // eslint-disable-line react-hooks/exhaustive-deps -- once, on arrival

  const replace = (card: Card) => setCards((list) => (list ?? []).map((c) => (c.id === card.id ? card : c)));

  const create = (type: "virtual" | "physical") => {
    // One key per intent: a retry (after step-up, or a lost answer) gets the same card, never a second one.
    const key = crypto.randomUUID();
    void run(async () => {
      const card = await withCustomerToken(true, (headers) =>
        client().POST("/cards", { headers, params: { header: { "Idempotency-Key": key } }, body: { type } }),
      );
      setCards((list) => [card, ...(list ?? []).filter((c) => c.id !== card.id)]);
      setNotice(`Your new ${type} card ending ${card.last4Digits ?? "…"} is ${STATUS_TEXT[card.status] ?? card.status}.`);
    });
  };

  const act = (card: Card, action: Action) =>
    void run(async () => {
      const params = { path: { cardId: card.id } };
      const updated = await withCustomerToken(true, (headers) =>
        client().POST(`/cards/{cardId}/${action}`, { headers, params }),
      );
      replace(updated);
      setNotice(`Card ending ${updated.last4Digits ?? "…"}: ${STATUS_TEXT[updated.status] ?? updated.status}.`);
    });

  return (
    <main>
      <Heading>Your cards</Heading>
      <div className="row">
        <button type="button" onClick={() => create("virtual")} disabled={busy}>
          New virtual card
        </button>
        <button type="button" className="secondary" onClick={() => create("physical")} disabled={busy}>
          Order a physical card
        </button>
      </div>
      <p role="status">{notice}</p>
      <ProblemAlert failure={failure} />
      {cards === null && busy && <p>Loading your cards…</p>}
      {cards?.length === 0 && <p>You have no cards yet.</p>}
      <ul className="cards">
        {cards?.map((card) => (
          <li key={card.id} className="card" aria-label={`${card.type} card ending ${card.last4Digits ?? ""}`}>
            <p>
              <strong>
                {card.type === "virtual" ? "Virtual" : "Physical"} card •••• {card.last4Digits}
              </strong>{" "}
              <span className="small">expires {card.expirationDate}</span>
            </p>
            <p data-card-status={card.status}>{STATUS_TEXT[card.status] ?? card.status}</p>
            <div className="row">
              {actionsFor(card.status).map((action) => (
                <button
                  key={action}
                  type="button"
                  className={action === "freeze" || action === "unfreeze" ? undefined : "secondary"}
                  disabled={busy}
                  onClick={() => act(card, action)}
                >
                  {LABELS[action]}
                </button>
              ))}
            </div>
          </li>
        ))}
      </ul>
    </main>
  );
}
