import { useSyncExternalStore } from "react";

/** Hash routes (#/mypage): any static server can serve the app, and a reload keeps the page. */
export function navigate(path: string): void {
  window.location.hash = `#${path}`;
}

const subscribe = (onChange: () => void) => {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
};

export function useRoute(): string {
  return useSyncExternalStore(subscribe, () => window.location.hash.replace(/^#/, "") || "/");
}
