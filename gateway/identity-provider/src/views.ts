import { ROLE_DESCRIPTIONS, ROLES } from "@safeguarding/shared/identity";
import type { DemoUser } from "@safeguarding/shared/demo-users";

/** Server-rendered pages: no script, no outside fonts or styles, so they work on a closed police network. */

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Arial,sans-serif;margin:0;color:#0b0c0c;background:#f3f2f1;line-height:1.4}
main{max-width:46rem;margin:0 auto;padding:1.5rem;background:#fff;min-height:100vh;box-sizing:border-box}
h1{font-size:1.75rem;margin:0 0 .5rem}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
.banner{border:4px solid #d4351c;padding:.75rem 1rem;margin:0 0 1.25rem;font-weight:700}
ul{list-style:none;padding:0;margin:0}li{margin:0 0 .5rem}
button{font:inherit;text-align:left;width:100%;padding:.6rem .8rem;border:2px solid #0b0c0c;background:#fff;cursor:pointer}
button:hover{background:#f3f2f1}button:focus{outline:3px solid #ffdd00;outline-offset:0}
.primary{background:#00703c;color:#fff;border-color:#00703c;width:auto;font-weight:700}
.secondary{width:auto}.who{display:block;font-weight:700}.what{display:block;font-size:.9rem;color:#505a5f}
`;

export function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} – Safeguarding Gateway sign-in</title>
<style>${STYLE}</style>
</head>
<body><main>
${body}
</main></body>
</html>`;
}

/** The demo-user picker. No password: anyone who reaches this page may be anyone, which is why production refuses it. */
export function loginPage(options: { action: string; clientName: string; users: readonly DemoUser[] }): string {
  const groups = ROLES.map((role) => {
    const users = options.users.filter((u) => u.role === role);
    if (users.length === 0) return "";
    const items = users
      .map(
        (u) =>
          `<li><button type="submit" name="user" value="${escapeHtml(u.id)}"><span class="who">${escapeHtml(u.name)}</span><span class="what">${escapeHtml(u.organisation)} · <code>${escapeHtml(u.id)}</code></span></button></li>`,
      )
      .join("\n");
    return `<h2>${escapeHtml(ROLE_DESCRIPTIONS[role])} <code>${role}</code></h2>\n<ul>\n${items}\n</ul>`;
  }).join("\n");
  return page(
    "Choose a demo user",
    `<p class="banner" role="note">Development sign-in: demo users only. Every person here is invented; a real deployment signs in with the organisation's own identity provider.</p>
<h1>Sign in to ${escapeHtml(options.clientName)}</h1>
<p>Choose who to sign in as.</p>
<form method="post" action="${escapeHtml(options.action)}">
${groups}
<h2>Or</h2>
<p><button type="submit" class="secondary" name="cancel" value="yes">Cancel sign-in</button></p>
</form>`,
  );
}

/** oidc-provider's logout confirmation: its `form` carries the anti-forgery token the confirmation must post back. */
export function logoutPage(form: string, clientName: string | undefined): string {
  return page(
    "Sign out",
    `${form}
<h1>Sign out${clientName ? ` of ${escapeHtml(clientName)}` : ""}?</h1>
<p>This ends your sign-in with the development identity provider; every application that used it asks you to sign in again.</p>
<p><button type="submit" class="primary" form="op.logoutForm" name="logout" value="yes" autofocus>Sign out</button></p>
<p><button type="submit" class="secondary" form="op.logoutForm">Stay signed in</button></p>`,
  );
}

export function signedOutPage(clientName: string | undefined): string {
  return page(
    "Signed out",
    `<h1>You have signed out</h1><p>You are no longer signed in${clientName ? ` to ${escapeHtml(clientName)}` : ""}. You can close this window.</p>`,
  );
}

/** An error a person can act on; the codes are OAuth's, and no stack or internal detail is shown. */
export function errorPage(out: Record<string, unknown>): string {
  const description = typeof out.error_description === "string" ? out.error_description : "Something went wrong.";
  return page(
    "Sign-in problem",
    `<h1>Sign-in could not continue</h1>
<p>${escapeHtml(description)}</p>
<p>Go back to the application and start signing in again. If it keeps happening, report it with the time and this code: <code>${escapeHtml(String(out.error ?? "server_error"))}</code>.</p>`,
  );
}
