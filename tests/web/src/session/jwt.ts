// Reads a JWT's `exp` to schedule refreshes. Not a verification: the API verifies every JWT it receives;
// the browser only needs to know when its copy runs out.
export function expiresAtMs(jwt: string): number {
  try {
    const payload = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const exp = JSON.parse(atob(payload)).exp;
    return typeof exp === "number" ? exp * 1000 : 0;
  } catch {
    return 0;
  }
}
