import { useMemo, useState } from "react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createApi, type AppConfig } from "./api.js";
import { AppContext, useApp, type AppContextValue } from "./app-context.js";
import { Catalog } from "./pages/Catalog.js";
import { Manage } from "./pages/Manage.js";
import { MyPage } from "./pages/MyPage.js";
import { ReservationPage } from "./pages/ReservationPage.js";
import { SignIn } from "./pages/SignIn.js";
import { navigate, useRoute } from "./router.js";
import { loadSession, saveSession, sessionOf, type Session } from "./session.js";

export function App({ config }: { config: AppConfig }) {
  const [session, setSession] = useState<Session | undefined>(loadSession);
  const [queryClient] = useState(() => new QueryClient({ defaultOptions: { queries: { retry: 1 } } }));
  // The token is read per call, so one set of transports serves every sign-in.
  const api = useMemo(() => createApi(config, () => loadSession()?.token), [config]);
  const context: AppContextValue = {
    config,
    api,
    session,
    signIn(token) {
      const next = sessionOf(token);
      saveSession(next);
      setSession(next);
      queryClient.clear();
    },
    signOut() {
      saveSession(undefined);
      setSession(undefined);
      queryClient.clear();
      navigate("/");
    },
  };
  return (
    <AppContext.Provider value={context}>
      <QueryClientProvider client={queryClient}>
        <Header />
        <main id="main">
          <Page />
        </main>
      </QueryClientProvider>
    </AppContext.Provider>
  );
}

function Header() {
  const { session, signOut } = useApp();
  return (
    <header>
      <a className="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById("main")?.focus())}>
        Skip to content
      </a>
      <nav aria-label="Main">
        <a href="#/" className="brand">
          OuterPark
        </a>
        <a href="#/">Musicals</a>
        {session?.role === "customer" && <a href="#/mypage">MyPage</a>}
        {session?.role === "manager" && <a href="#/manage">Manage</a>}
        {session ? (
          <span className="who">
            Signed in as <strong data-testid="signed-in-as">{session.subject}</strong>{" "}
            <button type="button" onClick={signOut}>
              Sign out
            </button>
          </span>
        ) : (
          <a href="#/sign-in">Sign in</a>
        )}
      </nav>
    </header>
  );
}

function Page() {
  const { session } = useApp();
  const route = useRoute();
  const reservation = /^\/reservations\/([^/]+)$/.exec(route);
  if (route === "/sign-in") return <SignIn />;
  if (!session && route !== "/") return <SignIn />;
  if (reservation?.[1]) return <ReservationPage key={reservation[1]} reservationId={decodeURIComponent(reservation[1])} />;
  if (route === "/mypage") return <MyPage />;
  if (route === "/manage") return <Manage />;
  return <Catalog />;
}
