import { useEffect, useState } from "react";
import { call, client } from "../api/client";
import { ApiProblem } from "../api/problem";
import type { components } from "../api/schema";
import { Heading } from "../ui/Heading";
import { ProblemAlert } from "../ui/ProblemAlert";
import { useAction } from "../ui/useAction";
import { ApplicationForm } from "./ApplicationForm";
import { DocumentUpload } from "./DocumentUpload";

type Application = components["schemas"]["Application"];

/** What each of Unit's application statuses means for the person waiting. */
const EXPLAINED: Record<string, { title: string; text: string }> = {
  Approved: { title: "Your account is open", text: "Unit approved your application. You can order cards now." },
  Pending: {
    title: "We are checking your details",
    text: "Our banking partner Unit is verifying your identity automatically. This usually takes under a minute.",
  },
  PendingReview: {
    title: "Your application is being reviewed",
    text: "A person at Unit is looking at your application. This can take up to a business day; come back later.",
  },
  AwaitingDocuments: {
    title: "We need a document",
    text: "Unit could not confirm every detail and asks for the documents below. Once they are in, a person reviews them.",
  },
  Denied: {
    title: "We could not open an account",
    text: "Unit declined this application. You can apply again with corrected details.",
  },
  Canceled: { title: "Your application was canceled", text: "You can start a new application." },
};

export function Onboarding({ defaultEmail, onDone }: { defaultEmail: string; onDone: () => void }) {
  const [application, setApplication] = useState<Application | null | undefined>(undefined);
  const { busy, failure, run } = useAction();

  const load = () =>
    run(async () => {
      try {
        setApplication(await call(() => client().GET("/applications/current")));
      } catch (problem) {
        if (problem instanceof ApiProblem && problem.code === "no_application") setApplication(null);
        else throw problem;
      }
    });

  // Once, on arrival.
  useEffect(() => void load(), []); // eslint-disable-line react-hooks/exhaustive-deps

  if (application === undefined) {
    return (
      <main>
        <Heading>Your account</Heading>
        {busy && <p role="status">Loading…</p>}
        <ProblemAlert failure={failure} />
      </main>
    );
  }
  if (application === null) {
    return <ApplicationForm defaultEmail={defaultEmail} onSubmitted={setApplication} />;
  }
  const applying = application.nextStep === "apply" || application.nextStep === "apply_again";
  const explained = EXPLAINED[application.status] ?? { title: application.status, text: "" };
  return (
    <main>
      <Heading>{explained.title}</Heading>
      <p data-status={application.status}>
        Status: <strong>{application.status}</strong>. {explained.text}
      </p>
      {application.requiredDocuments
        ?.filter((document) => document.status !== "PendingReview" && document.status !== "Approved")
        .map((document) => (
          <DocumentUpload key={document.documentId} document={document} onUploaded={() => void load()} />
        ))}
      {application.status === "Approved" && (
        <button type="button" onClick={onDone}>
          Continue to your cards
        </button>
      )}
      {application.nextStep === "wait" && (
        <button type="button" onClick={() => void load()} disabled={busy}>
          Check again
        </button>
      )}
      {applying && (
        <button type="button" onClick={() => setApplication(null)}>
          Apply again
        </button>
      )}
      <ProblemAlert failure={failure} />
    </main>
  );
}
