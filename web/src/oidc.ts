/**
 * Production sign-in: OpenID Connect authorization code flow with PKCE, as a
 * public client (no secret in the browser). The provider is found by its issuer
 * URL (discovery); its access token is what the app sends to the services.
 */
export interface OidcSettings {
  issuer: string;
  clientId: string;
}

interface Pending {
  state: string;
  verifier: string;
  tokenEndpoint: string;
  redirectUri: string;
}

const PENDING_KEY = "outerpark.oidc.pending";

/** RFC 7636 S256: base64url(SHA-256(verifier)). */
export async function codeChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

export function authorizeUrl(endpoint: string, p: { clientId: string; redirectUri: string; state: string; challenge: string }): string {
  const url = new URL(endpoint);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: p.clientId,
    redirect_uri: p.redirectUri,
    scope: "openid profile",
    state: p.state,
    code_challenge: p.challenge,
    code_challenge_method: "S256",
  }).toString();
  return url.toString();
}

/** Sends the browser to the provider's sign-in page. */
export async function beginSignIn(settings: OidcSettings, redirectUri = `${window.location.origin}/`): Promise<void> {
  const discovery = (await (await fetch(`${settings.issuer.replace(/\/$/, "")}/.well-known/openid-configuration`)).json()) as {
    authorization_endpoint: string;
    token_endpoint: string;
  };
  const pending: Pending = { state: randomToken(), verifier: randomToken(), tokenEndpoint: discovery.token_endpoint, redirectUri };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const challenge = await codeChallenge(pending.verifier);
  window.location.assign(
    authorizeUrl(discovery.authorization_endpoint, { clientId: settings.clientId, redirectUri, state: pending.state, challenge }),
  );
}

/** Back from the provider (?code=…&state=…): trades the code for the access token, or undefined when not returning. */
export async function completeSignIn(settings: OidcSettings): Promise<string | undefined> {
  const params = new URLSearchParams(window.location.search);
  const code = params.get("code");
  const raw = sessionStorage.getItem(PENDING_KEY);
  if (!code || !raw) return undefined;
  sessionStorage.removeItem(PENDING_KEY);
  window.history.replaceState(null, "", window.location.pathname + window.location.hash);
  const pending = JSON.parse(raw) as Pending;
  if (params.get("state") !== pending.state) throw new Error("sign-in state does not match: start again");
  const response = await fetch(pending.tokenEndpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: pending.redirectUri,
      client_id: settings.clientId,
      code_verifier: pending.verifier,
    }),
  });
  if (!response.ok) throw new Error(`token endpoint: HTTP ${response.status}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

function randomToken(): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(32)));
}

function base64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}
