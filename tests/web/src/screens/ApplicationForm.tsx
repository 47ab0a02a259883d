import { useState } from "react";
import { call, client } from "../api/client";
import type { components } from "../api/schema";
import { Heading } from "../ui/Heading";
import { ProblemAlert } from "../ui/ProblemAlert";
import { useAction } from "../ui/useAction";
import { HostedForm } from "./HostedForm";

type Application = components["schemas"]["Application"];

const FIELDS = [
  { name: "first", label: "First name", autoComplete: "given-name" },
  { name: "last", label: "Last name", autoComplete: "family-name" },
  { name: "email", label: "Email", autoComplete: "email", type: "email" },
  { name: "phone", label: "Mobile phone (US, 10 digits)", autoComplete: "tel-national", type: "tel" },
  { name: "dateOfBirth", label: "Date of birth", autoComplete: "bday", type: "date" },
  { name: "street", label: "Street address", autoComplete: "address-line1" },
  { name: "city", label: "City", autoComplete: "address-level2" },
  { name: "state", label: "State (2 letters)", autoComplete: "address-level1" },
  { name: "postalCode", label: "ZIP code", autoComplete: "postal-code" },
  { name: "ssn", label: "Social Security number", autoComplete: "off", type: "password" },
] as const;

type Values = Record<(typeof FIELDS)[number]["name"], string>;

/** Our own application form (POST /applications). The phone given here is the one step-up will text. */
export function ApplicationForm({ defaultEmail, onSubmitted }: {
  defaultEmail: string;
  onSubmitted: (application: Application) => void;
}) {
  const [values, setValues] = useState<Values>(() => ({
    ...(Object.fromEntries(FIELDS.map((field) => [field.name, ""])) as Values),
    email: defaultEmail,
  }));
  const { busy, failure, run } = useAction();

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const body = {
        fullName: { first: values.first, last: values.last },
        email: values.email,
        phone: { countryCode: "1", number: values.phone.replace(/\D/g, "") },
        dateOfBirth: values.dateOfBirth,
        address: {
          street: values.street,
          city: values.city,
          state: values.state.toUpperCase(),
          postalCode: values.postalCode,
          country: "US",
        },
        ssn: values.ssn,
      };
      onSubmitted(await call(() => client().POST("/applications", { body })));
    });
  };

  return (
    <main>
      <Heading>Open your account</Heading>
      <p>Our banking partner Unit needs these details to verify your identity. Your SSN is never shown again.</p>
      <form onSubmit={submit}>
        {FIELDS.map((field) => (
          <div key={field.name} className="field">
            <label htmlFor={field.name}>{field.label}</label>
            <input
              id={field.name}
              name={field.name}
              type={"type" in field ? field.type : "text"}
              autoComplete={field.autoComplete}
              required
              value={values[field.name]}
              onChange={(event) => setValues({ ...values, [field.name]: event.target.value })}
            />
          </div>
        ))}
        <button type="submit" disabled={busy}>
          Apply
        </button>
      </form>
      <ProblemAlert failure={failure} />
      <HostedForm onSubmitted={onSubmitted} />
    </main>
  );
}
