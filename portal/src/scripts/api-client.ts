/** Browser side of the portal's JSON API; the server is the only judge of sessions and scores. */

export interface Officer {
  id: string;
  name: string;
  rank: string;
  collarNumber: string;
  team: string;
  role: "officer" | "supervisor";
  displayName: string;
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

let sessionPromise: Promise<Officer | null> | undefined;

/** The signed-in demo officer, asked once per page. */
export function currentOfficer(): Promise<Officer | null> {
  sessionPromise ??= api<{ officer: Officer | null }>("/api/session").then(
    (result) => result.officer,
    () => null,
  );
  return sessionPromise;
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
