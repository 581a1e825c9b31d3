export declare const SECRET_FILES: string[];
export declare const ENV_VARIABLES: string[];
export declare function makeSecrets(options: { secretsDir: string; envFile: string }): {
  env: Record<string, string>;
  identityProviderKey: Record<string, string>;
};
