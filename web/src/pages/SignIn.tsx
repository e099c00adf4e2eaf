import { useState } from "react";
import { useApp } from "../app-context.js";
import { beginSignIn } from "../oidc.js";
import { navigate } from "../router.js";

export function SignIn() {
  const { config, signIn } = useApp();
  const [name, setName] = useState("");
  const [role, setRole] = useState<"customer" | "manager">("customer");
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      // The issuer's key stays on the server: the app only ever receives a signed token.
      const response = await fetch("/dev/sign-in", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ sub: name.trim(), role }),
      });
      if (!response.ok) throw new Error(await response.text());
      signIn(((await response.json()) as { token: string }).token);
      navigate(role === "manager" ? "/manage" : "/");
    } catch {
      setProblem("Sign-in failed. Check the name (letters, digits, - and _) and try again.");
    } finally {
      setBusy(false);
    }
  };

  if (!config.devSignIn) {
    return (
      <section aria-labelledby="signin-title">
        <h1 id="signin-title">Sign in</h1>
        {config.oidc ? (
          <>
            <button
              type="button"
              onClick={() => beginSignIn(config.oidc!).catch(() => setProblem("The sign-in provider cannot be reached. Please retry."))}
            >
              Sign in with your account
            </button>
            {problem && (
              <p role="alert" className="error">
                {problem}
              </p>
            )}
          </>
        ) : (
          <p>No sign-in is configured for this deployment.</p>
        )}
      </section>
    );
  }
  return (
    <section aria-labelledby="signin-title">
      <h1 id="signin-title">Sign in (development)</h1>
      <form onSubmit={submit} className="stacked">
        <label htmlFor="signin-name">Your name</label>
        <input
          id="signin-name"
          required
          pattern="[A-Za-z0-9_\-]{1,64}"
          autoComplete="username"
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <fieldset>
          <legend>Role</legend>
          <label>
            <input type="radio" name="role" value="customer" checked={role === "customer"} onChange={() => setRole("customer")} /> Customer
          </label>
          <label>
            <input type="radio" name="role" value="manager" checked={role === "manager"} onChange={() => setRole("manager")} /> Show manager
          </label>
        </fieldset>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        {problem && (
          <p role="alert" className="error">
            {problem}
          </p>
        )}
      </form>
    </section>
  );
}
