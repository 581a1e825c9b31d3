/**
 * Monaco, the editor inside GraphiQL, runs its language services in web workers. The build bundles each worker as
 * its own file under /explorer/assets and puts their URLs here (EXPLORER_WORKERS), so they load from the gateway
 * like everything else; GraphiQL's own set-ups fetch them from esm.sh or rely on a bundler's worker syntax.
 */
declare const EXPLORER_WORKERS: { editor: string; json: string; graphql: string };

window.MonacoEnvironment = {
  getWorker(_workerId: string, label: string) {
    const url =
      label === "json"
        ? EXPLORER_WORKERS.json
        : label === "graphql"
          ? EXPLORER_WORKERS.graphql
          : EXPLORER_WORKERS.editor;
    return new Worker(url, { name: label });
  },
};
