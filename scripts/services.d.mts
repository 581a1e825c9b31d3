export interface ServiceDefinition {
  name: string;
  entry: string;
  portEnv: string;
  port: number;
  urlEnv?: string;
  /** Appended to the service's base URL for urlEnv; "/graphql" when omitted. */
  urlPath?: string;
  /** More variables naming this service, each its base URL with this path (ALERTS_EVENTS_URL: "/events"). */
  alsoUrlEnv?: Record<string, string>;
  /** Settings only this service is started with. */
  env?: Record<string, string>;
}
export declare const SERVICES: ServiceDefinition[];
export declare const repoRoot: string;
export declare const SERVICE_NODE_ARGS: string[];
