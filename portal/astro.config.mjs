import { defineConfig } from "astro/config";
import mdx from "@astrojs/mdx";
import { NodePackageImporter } from "sass";

export default defineConfig({
  site: "http://127.0.0.1:4321",
  trailingSlash: "always",
  integrations: [mdx()],
  build: { format: "directory", inlineStylesheets: "never" },
  devToolbar: { enabled: false },
  // `astro dev` serves pages on 4322 and passes /api to the portal server (npm start, PORTAL_PORT or 4321).
  server: { port: 4322, host: "127.0.0.1" },
  vite: {
    server: { proxy: { "/api": `http://127.0.0.1:${process.env.PORTAL_PORT || 4321}` } },
    // Workspace packages are symlinked, so Vite would bundle them; the glossary must stay external
    // so it finds glossary/terms relative to its own files, and shared (the action card form's purposes) is
    // plain built JavaScript with server dependencies that need no bundling.
    ssr: { external: ["@safeguarding/glossary", "@safeguarding/shared"] },
    environments: {
      prerender: { resolve: { external: ["@safeguarding/glossary", "@safeguarding/shared"] } },
      ssr: { resolve: { external: ["@safeguarding/glossary", "@safeguarding/shared"] } },
    },
    css: {
      // govuk-frontend still carries old IE hacks that LightningCSS rejects without error recovery.
      lightningcss: { errorRecovery: true },
      preprocessorOptions: {
        scss: { importers: [new NodePackageImporter()], quietDeps: true, silenceDeprecations: ["import"] },
      },
    },
  },
});
