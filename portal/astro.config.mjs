import { defineConfig } from "astro/config";
import mdx from "@astrojs/mdx";
import { NodePackageImporter } from "sass";

export default defineConfig({
  site: "http://127.0.0.1:4321",
  trailingSlash: "always",
  integrations: [mdx()],
  build: { format: "directory", inlineStylesheets: "never" },
  devToolbar: { enabled: false },
  vite: {
    css: {
      // govuk-frontend still carries old IE hacks that LightningCSS rejects without error recovery.
      lightningcss: { errorRecovery: true },
      preprocessorOptions: {
        scss: { importers: [new NodePackageImporter()], quietDeps: true, silenceDeprecations: ["import"] },
      },
    },
  },
});
