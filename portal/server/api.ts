import type { IncomingMessage, ServerResponse } from "node:http";
import type { Glossary } from "@safeguarding/glossary";
import { scoreQuiz, PASS_MARK_PERCENT, type Course } from "./course.ts";
import type { KnownOfficer, ModuleProgress, ProgressStore } from "./progress-store.ts";
import type { SessionStore } from "./session.ts";
import { isSupervisor, type PortalUser } from "./user.ts";
import { parseAttempt, parseLookup, type ApiError } from "./validation.ts";
import { log, pathForLog } from "./log.ts";

const MAX_BODY_BYTES = 64 * 1024;

export interface ApiDependencies {
  course: Course;
  glossary: Glossary;
  progress: ProgressStore;
  sessions: Pick<SessionStore, "current">;
  ping(): Promise<void>;
}

class HttpError extends Error {
  constructor(readonly error: ApiError) {
    super(error.message);
  }
}

const httpError = (status: number, code: string, message: string) => new HttpError({ status, code, message });

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "content-length": String(Buffer.byteLength(text)),
    ...headers,
  });
  response.end(text);
}

const sendError = (response: ServerResponse, error: ApiError, headers: Record<string, string> = {}) => {
  const { status, ...rest } = error;
  sendJson(response, status, { error: rest }, headers);
};

async function readJson(request: IncomingMessage): Promise<unknown> {
  const type = String(request.headers["content-type"] ?? "");
  // Requiring JSON also keeps cross-site HTML forms (which cannot send it without CORS) away from the API.
  if (!/^application\/json\b/i.test(type)) {
    throw httpError(
      415,
      "JSON_REQUIRED",
      "Send the request body as JSON with the header Content-Type: application/json.",
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      throw httpError(
        413,
        "BODY_TOO_LARGE",
        `The request body is over ${MAX_BODY_BYTES / 1024} KB. Send only the fields the endpoint needs.`,
      );
    }
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw httpError(400, "INVALID_JSON", "The request body is not valid JSON. Check quotes, commas and brackets.");
  }
}

/** An officer as the pages show them: `id` is the subject progress is recorded under. */
const publicOfficer = (officer: KnownOfficer) => ({
  id: officer.subject,
  username: officer.username,
  displayName: officer.name,
  organisation: officer.organisation,
});

/** The signed-in user: an officer, with their role and whether they supervise training. */
const publicUser = (user: PortalUser) => ({
  ...publicOfficer(user),
  role: user.role,
  supervisor: isSupervisor(user),
});

export function createApi(deps: ApiDependencies) {
  const { course, progress, sessions } = deps;

  async function currentUser(request: IncomingMessage): Promise<PortalUser | null> {
    return (await sessions.current(request))?.user ?? null;
  }

  async function requireUser(request: IncomingMessage): Promise<PortalUser> {
    const user = await currentUser(request);
    if (!user) throw httpError(401, "SIGN_IN_REQUIRED", "Sign in first, at /sign-in.");
    return user;
  }

  function moduleRows(list: ModuleProgress[] | undefined) {
    return course.modules.map((module) => {
      const entry = list?.find((candidate) => candidate.moduleId === module.id);
      const status = entry?.completion ? "completed" : entry ? "attempted" : "not-started";
      return {
        moduleId: module.id,
        number: module.number,
        title: module.title,
        status,
        attempts: entry?.attempts ?? 0,
        bestPercent: entry?.bestPercent ?? null,
        lastAttemptAt: entry?.lastAttemptAt ?? null,
        completedAt: entry?.completion?.completedAt ?? null,
        certificateId: entry?.completion?.certificateId ?? null,
      };
    });
  }

  type Handler = (request: IncomingMessage, response: ServerResponse, params: string[], url: URL) => Promise<void>;
  const routes: Array<{ method: string; pattern: RegExp; handler: Handler }> = [];
  const route = (method: string, pattern: RegExp, handler: Handler) => routes.push({ method, pattern, handler });

  route("GET", /^\/api\/health$/, async (_request, response) => {
    try {
      await deps.ping();
      sendJson(response, 200, { status: "ok" });
    } catch {
      sendJson(response, 503, {
        status: "unavailable",
        error: { code: "STORE_UNAVAILABLE", message: "The progress store is not answering." },
      });
    }
  });

  route("GET", /^\/api\/glossary\/search$/, async (_request, response, _params, url) => {
    const parsed = parseLookup(url.searchParams);
    if (!parsed.ok) return sendError(response, parsed.error);
    const { query, first } = parsed.value;
    const results = deps.glossary.search(query, first).map((term) => ({
      id: term.id,
      term: term.term,
      abbreviations: term.abbreviations,
      category: term.category,
      meaning: term.meaning,
      href: `/glossary/${term.id}/`,
    }));
    sendJson(response, 200, { query, results });
  });

  route("GET", /^\/api\/session$/, async (request, response) => {
    const user = await currentUser(request);
    sendJson(response, 200, { officer: user ? publicUser(user) : null });
  });

  route("POST", /^\/api\/attempts$/, async (request, response) => {
    const officer = await requireUser(request);
    const parsed = parseAttempt(await readJson(request), course);
    if (!parsed.ok) return sendError(response, parsed.error);
    const { quiz, answers } = parsed.value;
    const score = scoreQuiz(quiz, answers);
    const recorded = await progress.recordAttempt({ officer, moduleId: quiz.module, score, answers });
    sendJson(response, 201, {
      attempt: {
        ...recorded,
        passMarkPercent: PASS_MARK_PERCENT,
        results: score.results,
      },
    });
  });

  route("GET", /^\/api\/progress$/, async (request, response) => {
    const user = await requireUser(request);
    const byOfficer = await progress.progress([user.subject]);
    sendJson(response, 200, { officer: publicUser(user), modules: moduleRows(byOfficer.get(user.subject)) });
  });

  route("GET", /^\/api\/supervisor\/completions$/, async (request, response) => {
    const user = await requireUser(request);
    if (!isSupervisor(user)) {
      throw httpError(
        403,
        "SUPERVISOR_ONLY",
        "Only training supervisors can see the team's completions. Sign in as a training supervisor.",
      );
    }
    // Everyone who has signed in to the portal, as their last sign-in named them.
    const officers = await progress.officers();
    const byOfficer = await progress.progress(officers.map((officer) => officer.subject));
    sendJson(response, 200, {
      passMarkPercent: PASS_MARK_PERCENT,
      modules: course.modules.map(({ id, number, title }) => ({ id, number, title })),
      officers: officers.map((officer) => ({
        officer: publicOfficer(officer),
        modules: moduleRows(byOfficer.get(officer.subject)),
      })),
    });
  });

  route("GET", /^\/api\/certificates\/([^/]+)$/, async (request, response, [moduleId]) => {
    const user = await requireUser(request);
    const module = course.moduleById(moduleId!);
    if (!module) {
      throw httpError(
        404,
        "UNKNOWN_MODULE",
        `There is no module "${moduleId}". Use one of: ${course.modules.map((m) => m.id).join(", ")}.`,
      );
    }
    const completion = await progress.completion(user.subject, module.id);
    if (!completion) {
      throw httpError(
        404,
        "NOT_COMPLETED",
        `You have not passed the module "${module.title}" yet. Pass its quiz to get a certificate.`,
      );
    }
    sendJson(response, 200, {
      certificate: {
        certificateId: completion.certificateId,
        officerName: completion.officerName,
        moduleId: module.id,
        moduleNumber: module.number,
        moduleTitle: module.title,
        percent: completion.percent,
        passMarkPercent: PASS_MARK_PERCENT,
        completedAt: completion.completedAt,
      },
    });
  });

  /** Handles /api/* requests; returns false for any other path. */
  return async function handleApi(request: IncomingMessage, response: ServerResponse, url: URL): Promise<boolean> {
    const { pathname } = url;
    if (!pathname.startsWith("/api/") && pathname !== "/api") return false;
    const matching = routes.filter((candidate) => candidate.pattern.test(pathname));
    try {
      if (matching.length === 0) throw httpError(404, "NOT_FOUND", `There is no API endpoint ${pathname}.`);
      const method = request.method === "HEAD" ? "GET" : (request.method ?? "GET");
      const chosen = matching.find((candidate) => candidate.method === method);
      if (!chosen) {
        const allowed = matching.map((candidate) => candidate.method).join(", ");
        return (
          sendError(
            response,
            { status: 405, code: "METHOD_NOT_ALLOWED", message: `Use ${allowed} for ${pathname}.` },
            { allow: allowed },
          ),
          true
        );
      }
      let params: string[];
      try {
        params = chosen.pattern
          .exec(pathname)!
          .slice(1)
          .map((part) => decodeURIComponent(part));
      } catch {
        throw httpError(400, "BAD_PATH", "The address contains a malformed %-escape. Check the link.");
      }
      await chosen.handler(request, response, params, url);
    } catch (error) {
      if (error instanceof HttpError) {
        sendError(response, error.error);
      } else {
        log.error({ method: request.method, path: pathForLog(pathname), error: String(error) }, "unexpected error");
        if (!response.headersSent) {
          sendError(response, {
            status: 500,
            code: "INTERNAL_ERROR",
            message:
              "Something went wrong on the server and nothing was saved. Try again; if it keeps happening, tell the portal team.",
          });
        } else {
          response.destroy();
        }
      }
    }
    return true;
  };
}
