// Runtime settings, read from /config.json next to the app so one build serves every stage
// (`make dev` writes it; a deployment writes its own).
export type Config = { apiUrl: string; sessionCookie: boolean };

export async function loadConfig(): Promise<Config> {
  const response = await fetch("/config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`/config.json answered ${response.status}`);
  const config = (await response.json()) as Partial<Config>;
  if (!config.apiUrl) throw new Error("/config.json has no apiUrl");
  return { apiUrl: config.apiUrl.replace(/\/$/, ""), sessionCookie: config.sessionCookie === true };
}
