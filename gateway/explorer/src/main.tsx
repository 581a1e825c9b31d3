// Monaco's worker set-up must run before GraphiQL creates its first editor.
import "./workers.js";
// GraphiQL's parts without graphiql/style.css, which adds Monaco's CSS a second time (Monaco's modules import their
// own) and 350 kB of Roboto and Fira Code; the page uses system fonts.
import "@graphiql/react/style.css";
import "@graphiql/plugin-doc-explorer/style.css";
import "@graphiql/plugin-history/style.css";
import "graphiql/graphiql.css";
import "./explorer.css";
import { createRoot } from "react-dom/client";
import type { ExplorerPageConfig } from "../../src/explorer/page-config.js";
import { Explorer } from "./explorer.js";
import { completeSignIn } from "./sign-in.js";

const root = document.getElementById("explorer")!;

async function main(): Promise<void> {
  const response = await fetch("/explorer/config.json");
  if (!response.ok) throw new Error(`The gateway answered ${response.status} for the explorer's settings.`);
  const config = (await response.json()) as ExplorerPageConfig;
  let notice: string | null = null;
  if (config.signIn && location.pathname === config.signIn.callbackPath) {
    try {
      await completeSignIn(config.signIn, new URL(location.href));
    } catch (error) {
      notice = (error as Error).message;
    }
    // The code is spent: take it out of the address bar and the history.
    history.replaceState(null, "", "/explorer");
  }
  createRoot(root).render(<Explorer config={config} notice={notice} />);
}

main().catch((error: unknown) => {
  root.textContent = `The API explorer could not start: ${(error as Error).message}`;
});
