export interface ServiceDefinition {
  name: string;
  entry: string;
  portEnv: string;
  port: number;
  urlEnv?: string;
}
export declare const SERVICES: ServiceDefinition[];
export declare const repoRoot: string;
export declare const SERVICE_NODE_ARGS: string[];
