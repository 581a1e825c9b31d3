/** Browser side of the portal's JSON API; the server is the only judge of sessions and scores. */

/** An officer as the identity provider named them at their last sign-in; `id` is their subject there. */
export interface Officer {
  id: string;
  username: string | null;
  displayName: string;
  organisation: string | null;
}

/** The signed-in user. */
export interface SignedInOfficer extends Officer {
  role: string | null;
  supervisor: boolean;
}

export interface ApiErrorBody {
  code: string;
  message: string;
  questions?: string[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.message);
  }
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: init.method ?? "GET",
      credentials: "same-origin",
      headers:
        init.body === undefined
          ? { accept: "application/json" }
          : { accept: "application/json", "content-type": "application/json" },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  } catch {
    throw new ApiError(0, {
      code: "OFFLINE",
      message: "The portal server could not be reached. Check your connection and try again.",
    });
  }
  if (response.status === 204) return undefined as T;
  const payload = (await response.json().catch(() => null)) as (T & { error?: ApiErrorBody }) | null;
  if (!response.ok || payload === null) {
    throw new ApiError(
      response.status,
      payload?.error ?? { code: "UNEXPECTED", message: "The server sent an unexpected answer. Try again." },
    );
  }
  return payload;
}

let sessionPromise: Promise<SignedInOfficer | null> | undefined;

/** The signed-in officer, asked once per page. */
export function currentOfficer(): Promise<SignedInOfficer | null> {
  sessionPromise ??= api<{ officer: SignedInOfficer | null }>("/api/session").then(
    (result) => result.officer,
    () => null,
  );
  return sessionPromise;
}

/** The way in to sign in, coming back to this page (or `back`) afterwards. */
export function signInHref(back = `${window.location.pathname}${window.location.search}`): string {
  return `/sign-in?return=${encodeURIComponent(back)}`;
}

export function formatDate(iso: string): string {
  return new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric" }).format(new Date(iso));
}

export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: Array<Node | string | null | undefined | false>
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child);
  }
  return node;
}
