// Sign-in. Locally: the development sign-in of the local server (a token for a user name).
// Deployed: Cognito managed login, authorization code flow with PKCE (S256).
// Tokens live in sessionStorage only: gone when the tab closes, never in a cookie.

const TOKEN_KEY = "todo.idToken";
const PKCE_KEY = "todo.pkce";

export class SignInError extends Error {
  constructor(message, field) {
    super(message);
    this.field = field;
  }
}

/** The claims of a JWT (not verified here: the API verifies every request). */
export function claimsOf(token) {
  try {
    const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(payload.padEnd(Math.ceil(payload.length / 4) * 4, "=")));
  } catch {
    return null;
  }
}

export class Session {
  /** @param {{mode: string, endpoint?: string, domain?: string, clientId?: string,
   *   scopes?: string}} signIn from config.json */
  constructor(signIn) {
    this.config = signIn;
    // The app's own address: the CloudFront URL, or localhost (both are on the client's
    // callback and sign-out lists).
    this.appUrl = new URL(".", location.href).href;
  }

  get mode() {
    return this.config.mode;
  }

  /** The ID token if there is one that has not expired. */
  token() {
    const token = sessionStorage.getItem(TOKEN_KEY);
    const claims = token && claimsOf(token);
    if (!claims || (claims.exp && claims.exp * 1000 < Date.now())) return null;
    return token;
  }

  user() {
    const claims = claimsOf(this.token() || "");
    return claims ? claims.email || claims["cognito:username"] || claims.sub : null;
  }

  /** Who the tasks kept on this device belong to: the token's subject, stable across names. */
  subject() {
    return claimsOf(this.token() || "")?.sub || null;
  }

  forget() {
    sessionStorage.removeItem(TOKEN_KEY);
  }

  /** Local only: ask the local server for a token for `userName`. */
  async signInLocally(userName) {
    const response = await fetch(this.config.endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ userName }),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const fieldError = (body.errors || []).find((e) => e.field === "userName");
      throw new SignInError(fieldError?.detail || body.detail || "Sign-in failed", fieldError && "userName");
    }
    sessionStorage.setItem(TOKEN_KEY, body.idToken);
  }

  /** Deployed: go to the managed login page; it comes back with ?code=…&state=…. */
  async startHostedSignIn() {
    const verifier = randomString(64);
    const state = randomString(24);
    sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state }));
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
    const query = new URLSearchParams({
      response_type: "code",
      client_id: this.config.clientId,
      redirect_uri: this.appUrl,
      scope: this.config.scopes,
      state,
      code_challenge_method: "S256",
      code_challenge: base64Url(new Uint8Array(digest)),
    });
    location.assign(`${this.config.domain}/oauth2/authorize?${query}`);
  }

  /** Deployed: on the way back from managed login, trade the code for tokens. */
  async finishHostedSignIn(url) {
    const code = url.searchParams.get("code");
    const error = url.searchParams.get("error");
    if (!code && !error) return false;
    history.replaceState(null, "", url.pathname + url.hash); // the code is single-use
    const saved = JSON.parse(sessionStorage.getItem(PKCE_KEY) || "null");
    sessionStorage.removeItem(PKCE_KEY);
    if (error) throw new SignInError(url.searchParams.get("error_description") || error);
    if (!saved || saved.state !== url.searchParams.get("state")) {
      throw new SignInError("The sign-in answer did not match this tab's request; sign in again.");
    }
    const response = await fetch(`${this.config.domain}/oauth2/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        client_id: this.config.clientId,
        code,
        redirect_uri: this.appUrl,
        code_verifier: saved.verifier,
      }),
    });
    const tokens = await response.json().catch(() => ({}));
    if (!response.ok || !tokens.id_token) {
      throw new SignInError(tokens.error_description || "Sign-in failed; try again.");
    }
    sessionStorage.setItem(TOKEN_KEY, tokens.id_token);
    return true;
  }

  /** Deployed: also end the managed login session, which returns to logoutUri. */
  signOut() {
    this.forget();
    if (this.mode === "cognito") {
      const query = new URLSearchParams({ client_id: this.config.clientId, logout_uri: this.appUrl });
      location.assign(`${this.config.domain}/logout?${query}`);
      return true;
    }
    return false;
  }
}

function randomString(bytes) {
  return base64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

function base64Url(bytes) {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
