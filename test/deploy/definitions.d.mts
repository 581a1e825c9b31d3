export interface DockerInstruction {
  keyword: string;
  flags: Record<string, string | true>;
  args: string;
}
export interface DockerStage {
  name: string;
  from: string;
  instructions: DockerInstruction[];
}
export interface Dockerfile {
  args: Record<string, string>;
  stages: DockerStage[];
}
export interface DockerTarget {
  name: string;
  chain: string[];
  env: Record<string, string>;
  cmd?: string[];
  expose: number[];
  user?: string;
  workdir?: string;
  healthcheck?: { flags: Record<string, string | true>; command: string };
  runs: { stage: string; command: string }[];
  copies: { stage: string; from?: string; sources: string[]; dest: string }[];
}
export declare const repoRoot: string;
export declare const dockerfilePath: string;
export declare const composePath: string;
export declare const nginxConfPath: string;
export declare function parseDockerfile(text: string): Dockerfile;
export declare function resolveTarget(dockerfile: Dockerfile, name: string): DockerTarget | undefined;
export declare function loadDockerfile(): Dockerfile;
export declare function serviceTargets(dockerfile: Dockerfile): string[];
export declare function loadCompose(): any;
export declare function interpolate(value: string, variables: Record<string, string | undefined>): string;
export declare function composeVariables(text: string): Map<string, boolean>;
export declare function nginxUpstreamServers(text: string): string[];
export declare function environmentReadBy(
  dir: string,
  agencyPrefixes: readonly string[],
): { dirs: string[]; reads(name: string): boolean } | null;
