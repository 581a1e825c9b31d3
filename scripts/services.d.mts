export interface ServiceDefinition {
  name: string;
  entry: string;
  portEnv: string;
  port: number;
  urlEnv?: string;
  /** Appended to the service's base URL for urlEnv; "/graphql" when omitted. */
  urlPath?: string;
  /** Settings only this service is started with. */
  env?: Record<string, string>;
}
export declare const SERVICES: ServiceDefinition[];
export declare const repoRoot: string;
export declare const SERVICE_NODE_ARGS: string[];
