import { useGraphiQL, useGraphiQLActions, type GraphiQLPlugin } from "@graphiql/react";
import { GraphiQL } from "graphiql";
import { createContext, useContext, useMemo, useState, type FormEvent, type SVGProps } from "react";
import type { ExampleOperation } from "../../src/explorer/examples.js";
import type { ExplorerPageConfig } from "../../src/explorer/page-config.js";
import { createFetcher } from "./fetcher.js";
import { applyPurpose, purposeArgument } from "./purpose.js";
import { currentSession, signOut, startSignIn, type Session } from "./sign-in.js";

interface ExplorerState {
  config: ExplorerPageConfig;
  session: Session | null;
  signOut(): void;
}

// GraphiQL renders the plugin panels inside its own tree; they read the page's settings and session from here.
const ExplorerContext = createContext<ExplorerState | null>(null);

function useExplorer(): ExplorerState {
  const state = useContext(ExplorerContext);
  if (!state) throw new Error("Explorer panels render inside <Explorer>.");
  return state;
}

const icon = (path: string) =>
  function Icon(props: SVGProps<SVGSVGElement>) {
    return (
      <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.6" {...props}>
        <path d={path} strokeLinecap="round" strokeLinejoin="round" />
      </svg>
    );
  };

function DemoSignInPanel() {
  const { config, session, signOut: forget } = useExplorer();
  const [problem, setProblem] = useState<string | null>(null);
  const [leaving, setLeaving] = useState<string | null>(null);
  const signIn = config.signIn;
  if (!signIn)
    return (
      <section className="sg-panel">
        <h2>Demo sign-in</h2>
        <p>
          This gateway trusts no OpenID Connect provider (<code>AUTH_ISSUER</code> is not set), so there is no demo
          sign-in. Put a token in the headers editor instead: <code>{'{"Authorization": "Bearer …"}'}</code>.
        </p>
      </section>
    );
  const roles = [...new Set(config.demoUsers.map((user) => user.role))];
  const go = (userId: string) => {
    setProblem(null);
    setLeaving(userId);
    startSignIn(signIn, userId).catch((error: unknown) => {
      setLeaving(null);
      setProblem((error as Error).message);
    });
  };
  return (
    <section className="sg-panel" aria-labelledby="sg-sign-in-title">
      <h2 id="sg-sign-in-title">Demo sign-in</h2>
      <p className="sg-dev-only">
        Development only. These people are invented and sign in without a password at the development identity provider
        ({signIn.issuer}), which refuses to run in production. Its sign-in page opens: confirm the user there.
      </p>
      {session && (
        <p>
          Signed in as <strong>{session.name}</strong> ({session.role}).{" "}
          <button type="button" className="sg-link" onClick={forget}>
            Sign out
          </button>{" "}
          Next: the README's operations under “Examples”, and the “Purpose” a read of a child needs.
        </p>
      )}
      {problem && (
        <p className="sg-problem" role="alert">
          {problem}
        </p>
      )}
      {roles.map((role) => {
        const users = config.demoUsers.filter((user) => user.role === role);
        return (
          <div key={role} className="sg-role">
            <h3>
              {users[0].roleDescription} <code>{role}</code>
            </h3>
            <ul>
              {users.map((user) => (
                <li key={user.id}>
                  <button
                    type="button"
                    className="sg-user"
                    disabled={leaving !== null}
                    aria-describedby={`sg-user-${user.id}`}
                    onClick={() => go(user.id)}
                  >
                    Sign in as {user.name}
                  </button>
                  <p id={`sg-user-${user.id}`} className="sg-user-note">
                    <code>{user.id}</code> · {user.organisation}. {user.note}
                  </p>
                </li>
              ))}
            </ul>
          </div>
        );
      })}
    </section>
  );
}

function ExamplesPanel() {
  const { config } = useExplorer();
  const { addTab } = useGraphiQLActions();
  const queryEditor = useGraphiQL((state) => state.queryEditor);
  const open = (example: ExampleOperation) => {
    addTab();
    queryEditor?.setValue(example.query);
  };
  return (
    <section className="sg-panel">
      <h2>Examples</h2>
      <p>The operations in the README, each opened in a new tab. Run one with the ▶ button or Ctrl-Enter.</p>
      <ul className="sg-examples">
        {config.examples.map((example) => (
          <li key={example.name}>
            <button type="button" className="sg-user" onClick={() => open(example)}>
              {example.title}
            </button>
            <p className="sg-user-note">
              {example.description}{" "}
              {example.signInAs ? (
                <>
                  As <code>{example.signInAs}</code> you see all of it.
                </>
              ) : (
                "No sign-in needed."
              )}
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}

function PurposePanel() {
  const { config } = useExplorer();
  const queryEditor = useGraphiQL((state) => state.queryEditor);
  const [code, setCode] = useState(config.purposes[0]?.code ?? "");
  const [reference, setReference] = useState("");
  const [agreement, setAgreement] = useState("");
  const [outcome, setOutcome] = useState<string | null>(null);
  const choice = { code, reference: reference || "…", agreement };
  const apply = (event: FormEvent) => {
    event.preventDefault();
    if (!reference.trim()) return setOutcome("Give the incident, case or meeting number you are looking for.");
    const model = queryEditor?.getModel();
    if (!queryEditor || !model) return;
    const { query, changed } = applyPurpose(model.getValue(), { code, reference, agreement });
    if (changed === 0) return setOutcome("This operation reads no child: it needs no purpose.");
    // An edit rather than setValue, so Ctrl-Z takes it back.
    queryEditor.executeEdits("purpose-helper", [{ range: model.getFullModelRange(), text: query }]);
    setOutcome(`Put in ${changed} place${changed === 1 ? "" : "s"}.`);
  };
  return (
    <form className="sg-panel" onSubmit={apply}>
      <h2>Purpose</h2>
      <p>
        Reading a child (<code>child</code>, <code>children</code>) needs a stated purpose: why you are looking, and the
        incident, case or meeting number. It goes in the audit trail with your name.
      </p>
      <label className="sg-field">
        Why you are looking
        <select value={code} onChange={(event) => setCode(event.target.value)}>
          {config.purposes.map((purpose) => (
            <option key={purpose.code} value={purpose.code}>
              {purpose.code}
            </option>
          ))}
        </select>
      </label>
      <p className="sg-user-note">{config.purposes.find((purpose) => purpose.code === code)?.description}</p>
      <label className="sg-field">
        Reference
        <input value={reference} onChange={(event) => setReference(event.target.value)} placeholder="INC-2026-004512" />
      </label>
      <label className="sg-field">
        Data-sharing agreement (optional)
        <input value={agreement} onChange={(event) => setAgreement(event.target.value)} />
      </label>
      <p>
        <code className="sg-argument">{purposeArgument(choice)}</code>
      </p>
      <button type="submit" className="sg-user">
        Put it in the query
      </button>
      {outcome && (
        <p className="sg-user-note" role="status">
          {outcome}
        </p>
      )}
    </form>
  );
}

const SIGN_IN_PLUGIN: GraphiQLPlugin = {
  title: "Demo sign-in",
  icon: icon("M15 7a3 3 0 1 1-6 0 3 3 0 0 1 6 0ZM5 21a7 7 0 0 1 14 0"),
  content: DemoSignInPanel,
};
const EXAMPLES_PLUGIN: GraphiQLPlugin = {
  title: "Examples",
  icon: icon("M5 6h14M5 12h14M5 18h9"),
  content: ExamplesPanel,
};
const PURPOSE_PLUGIN: GraphiQLPlugin = {
  title: "Purpose",
  icon: icon("M12 3v18M3 12h18M7 7l10 10"),
  content: PurposePanel,
};
const PLUGINS = [SIGN_IN_PLUGIN, EXAMPLES_PLUGIN, PURPOSE_PLUGIN];

function Banner({ notice }: { notice: string | null }) {
  const { session, signOut: forget } = useExplorer();
  return (
    <header className="sg-banner">
      <p>
        <strong>Development only.</strong> This explorer and its demo sign-in exist only when the gateway is not in
        production; every person and child in it is invented. Nothing on this page comes from the internet.
      </p>
      <p className="sg-session" aria-live="polite">
        {session ? (
          <>
            Signed in as <strong>{session.name}</strong> · <code>{session.role}</code> · until{" "}
            {new Date(session.expiresAt).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}.{" "}
            <button type="button" className="sg-link" onClick={forget}>
              Sign out
            </button>
          </>
        ) : (
          <>Not signed in: only glossary look-ups run. Choose a demo user under “Demo sign-in”, on the left.</>
        )}
      </p>
      {notice && (
        <p className="sg-problem" role="alert">
          {notice}
        </p>
      )}
    </header>
  );
}

export function Explorer({ config, notice }: { config: ExplorerPageConfig; notice: string | null }) {
  const [session, setSession] = useState(currentSession);
  // Read at each request, so a token that has expired is not sent.
  const fetcher = useMemo(
    () => createFetcher(config.graphqlPath, () => currentSession()?.accessToken ?? null),
    [config.graphqlPath],
  );
  // Demo sign-in first for a visitor who is not signed in; after that GraphiQL reopens the panel last open.
  const [firstPanel] = useState(() => (session ? undefined : SIGN_IN_PLUGIN));
  const defaultTabs = useMemo(() => config.examples.map((example) => ({ query: example.query })), [config.examples]);
  const state = useMemo<ExplorerState>(
    () => ({
      config,
      session,
      signOut() {
        signOut();
        setSession(null);
      },
    }),
    [config, session],
  );
  return (
    <ExplorerContext.Provider value={state}>
      <div className="sg-explorer">
        <Banner notice={notice} />
        <div className="sg-graphiql">
          <GraphiQL
            fetcher={fetcher}
            plugins={PLUGINS}
            defaultTabs={defaultTabs}
            visiblePlugin={firstPanel}
            // The gateway refuses to describe its schema to a caller who has not signed in: do not ask until then.
            schema={session ? undefined : null}
            shouldPersistHeaders={false}
          >
            <GraphiQL.Logo>API explorer</GraphiQL.Logo>
          </GraphiQL>
        </div>
      </div>
    </ExplorerContext.Provider>
  );
}
