import { api, ApiError, element, formatDate } from "./api-client.ts";

interface Certificate {
  certificateId: string;
  officerName: string;
  moduleNumber: number;
  moduleTitle: string;
  percent: number;
  passMarkPercent: number;
  completedAt: string;
}

const holder = document.querySelector<HTMLElement>("[data-certificate]");

function fromTemplate(selector: string): Node[] {
  const template = document.querySelector<HTMLTemplateElement>(selector);
  return template ? Array.from(template.content.cloneNode(true).childNodes) : [];
}

if (holder) {
  const moduleId = holder.dataset.moduleId!;
  api<{ certificate: Certificate }>(`/api/certificates/${encodeURIComponent(moduleId)}`).then(
    ({ certificate }) => {
      const print = element(
        "button",
        { type: "button", class: "govuk-button govuk-button--secondary", "data-module": "govuk-button" },
        "Print this certificate",
      );
      print.addEventListener("click", () => window.print());
      holder.replaceChildren(
        element(
          "div",
          { class: "app-certificate", "data-certificate-body": "" },
          element("p", { class: "govuk-heading-m" }, "Safeguarding Gateway officer training"),
          element("p", { class: "govuk-body-l" }, "This certifies that"),
          element("p", { class: "app-certificate__name", "data-certificate-name": "" }, certificate.officerName),
          element("p", { class: "govuk-body-l" }, "has completed"),
          element(
            "p",
            { class: "app-certificate__module" },
            `Module ${certificate.moduleNumber}: ${certificate.moduleTitle}`,
          ),
          element(
            "p",
            { class: "govuk-body" },
            `with a quiz score of ${certificate.percent}% (pass mark ${certificate.passMarkPercent}%) on `,
            element("time", { datetime: certificate.completedAt }, formatDate(certificate.completedAt)),
            ".",
          ),
          element(
            "p",
            { class: "govuk-body-s" },
            "Certificate number ",
            element("strong", { "data-certificate-id": "" }, certificate.certificateId),
          ),
        ),
        element(
          "div",
          { class: "govuk-button-group app-no-print" },
          print,
          element("a", { class: "govuk-link", href: "/progress/" }, "See all your modules"),
        ),
      );
    },
    (error: unknown) => {
      if (error instanceof ApiError && error.status === 401)
        holder.replaceChildren(...fromTemplate("[data-signed-out]"));
      else if (error instanceof ApiError && error.body.code === "NOT_COMPLETED")
        holder.replaceChildren(...fromTemplate("[data-not-completed]"));
      else
        holder.replaceChildren(
          element(
            "p",
            { class: "govuk-body" },
            error instanceof Error ? error.message : "The certificate could not be loaded.",
          ),
        );
    },
  );
}
