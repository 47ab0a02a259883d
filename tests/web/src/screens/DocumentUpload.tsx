import { useState } from "react";
import { call, client } from "../api/client";
import type { components } from "../api/schema";
import { ProblemAlert } from "../ui/ProblemAlert";
import { useAction } from "../ui/useAction";

type RequiredDocument = components["schemas"]["RequiredDocument"];
type FileType = "application/pdf" | "image/png" | "image/jpeg";

const ACCEPTED: readonly string[] = ["application/pdf", "image/png", "image/jpeg"];

/** One document Unit asks for: the file itself is the body of the PUT (PDF, PNG or JPEG, 4 MiB at most). */
export function DocumentUpload({ document, onUploaded }: { document: RequiredDocument; onUploaded: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const { busy, failure, run } = useAction();
  const id = `document-${document.documentId}`;

  const upload = (event: React.FormEvent) => {
    event.preventDefault();
    if (!file) return;
    void run(async () => {
      await call(() =>
        client().PUT("/applications/current/documents/{documentId}", {
          params: { path: { documentId: document.documentId } },
          headers: { "Content-Type": file.type as FileType },
          body: file as unknown as string,
          bodySerializer: (body) => body,
        }),
      );
      onUploaded();
    });
  };

  return (
    <form onSubmit={upload}>
      <label htmlFor={id}>{document.description ?? document.documentType} (PDF, PNG or JPEG)</label>
      <input
        id={id}
        type="file"
        accept={ACCEPTED.join(",")}
        required
        onChange={(event) => setFile(event.target.files?.[0] ?? null)}
      />
      <button type="submit" disabled={busy || !file}>
        Upload
      </button>
      <ProblemAlert failure={failure} />
    </form>
  );
}
