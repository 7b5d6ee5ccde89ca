import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct, type Node } from 'constructs';

/** Claim names Cognito gives the pool's custom attributes (in ID tokens). */
export const COGNITO_ROLE_CLAIM = 'custom:role';
export const COGNITO_UNIT_CLAIM = 'custom:unitId';

/** Until the office names its own: Cognito allows plain http only for localhost. */
export const PLACEHOLDER_CALLBACK_URL = 'http://localhost:8787/';

/**
 * Who issues the tokens. `cognito` (the default) creates a user pool in the stack; `external` trusts
 * an OIDC issuer the deployment names (Keycloak, Authing, a province's SSO) — the variant for the
 * AWS China regions, where Cognito user pools are not offered.
 */
export type IdentityConfig =
  | {
      readonly kind: 'cognito';
      readonly callbackUrls: readonly string[];
      readonly logoutUrls: readonly string[];
      /** Prefix of the hosted sign-in domain (`<prefix>.auth.<region>.amazoncognito.com`); none if absent. */
      readonly domainPrefix?: string;
    }
  | {
      readonly kind: 'external';
      /** Exactly the `iss` of the tokens; API Gateway reads `<issuer>/.well-known/openid-configuration`. */
      readonly issuer: string;
      /** The `aud` (or `client_id`) values accepted. */
      readonly audience: readonly string[];
      readonly roleClaim: string;
      readonly unitClaim: string;
    };

/** A context value given as a comma-separated string (`-c k=a,b`) or a list (cdk.json). */
function listFromContext(node: Node, key: string): string[] {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return [];
  const items = Array.isArray(value) ? value : String(value).split(',');
  return items.map((item) => String(item).trim()).filter((item) => item.length > 0);
}

function stringFromContext(node: Node, key: string): string | undefined {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`Context ${key} must be a string`);
  return value.trim();
}

function httpsUrl(value: string, key: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`Context ${key} is not a URL: ${value}`);
  }
  if (url.protocol !== 'https:') throw new Error(`Context ${key} must be an https URL: ${value}`);
  return value;
}

/**
 * Reads the identity variant from CDK context: `oidcIssuer` (with `oidcAudience`, and optionally
 * `roleClaim`, `unitClaim`) selects the external issuer; otherwise a Cognito user pool, with
 * `callbackUrls`, `logoutUrls` and `cognitoDomainPrefix` if given. Mistakes fail the synth.
 */
export function identityConfigFromContext(node: Node): IdentityConfig {
  const issuer = stringFromContext(node, 'oidcIssuer');
  if (issuer !== undefined) {
    const audience = listFromContext(node, 'oidcAudience');
    if (audience.length === 0) {
      throw new Error(
        'Context oidcIssuer needs oidcAudience (the client id or audience the issuer puts in aud)',
      );
    }
    return {
      kind: 'external',
      issuer: httpsUrl(issuer, 'oidcIssuer'),
      audience,
      roleClaim: stringFromContext(node, 'roleClaim') ?? 'role',
      unitClaim: stringFromContext(node, 'unitClaim') ?? 'unitId',
    };
  }
  for (const key of ['oidcAudience', 'roleClaim', 'unitClaim']) {
    if (node.tryGetContext(key) !== undefined) throw new Error(`Context ${key} is only read with oidcIssuer`);
  }
  const callbackUrls = listFromContext(node, 'callbackUrls');
  const domainPrefix = stringFromContext(node, 'cognitoDomainPrefix');
  return {
    kind: 'cognito',
    callbackUrls: callbackUrls.length > 0 ? callbackUrls : [PLACEHOLDER_CALLBACK_URL],
    logoutUrls: listFromContext(node, 'logoutUrls'),
    ...(domainPrefix === undefined ? {} : { domainPrefix }),
  };
}

export interface IdentityProps {
  readonly config: IdentityConfig;
}

/**
 * The token issuer of a deployment and the HTTP API's JWT authorizer for it, in either variant.
 * Functions that verify tokens themselves get the same issuer, audience and claim names through
 * `functionEnvironment`.
 */
export class Identity extends Construct {
  readonly issuer: string;
  readonly audience: readonly string[];
  readonly roleClaim: string;
  readonly unitClaim: string;
  readonly authorizer: HttpJwtAuthorizer;
  /** Only in the Cognito variant. */
  readonly userPool?: cognito.UserPool;
  readonly userPoolClient?: cognito.UserPoolClient;
  readonly domain?: cognito.UserPoolDomain;

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id);
    const { config } = props;

    if (config.kind === 'external') {
      this.issuer = config.issuer;
      this.audience = config.audience;
      this.roleClaim = config.roleClaim;
      this.unitClaim = config.unitClaim;
    } else {
      const stack = Stack.of(this);
      if (!Token.isUnresolved(stack.region) && stack.region.startsWith('cn-')) {
        Annotations.of(this).addWarningV2(
          'duban:identity:cognito-in-china',
          'Cognito user pools are not offered in the AWS China regions: deploy with -c oidcIssuer=... -c oidcAudience=...',
        );
      }

      const userPool = new cognito.UserPool(this, 'UserPool', {
        // The office creates every account; nobody registers themselves.
        selfSignUpEnabled: false,
        signInAliases: { username: true, email: true },
        signInCaseSensitive: false,
        standardAttributes: {
          email: { required: true, mutable: true },
          fullname: { required: false, mutable: true },
        },
        keepOriginal: { email: true },
        customAttributes: {
          // Mutable so the office can move a user to another unit or role; the app client cannot
          // write them (see writeAttributes), so only an administrator (AdminUpdateUserAttributes) can.
          role: new cognito.StringAttribute({ minLen: 1, maxLen: 16, mutable: true }),
          unitId: new cognito.StringAttribute({ minLen: 1, maxLen: 63, mutable: true }),
        },
        passwordPolicy: {
          minLength: 12,
          requireLowercase: true,
          requireUppercase: true,
          requireDigits: true,
          requireSymbols: true,
          tempPasswordValidity: Duration.days(3),
          passwordHistorySize: 5,
        },
        mfa: cognito.Mfa.REQUIRED,
        mfaSecondFactor: { otp: true, sms: false },
        accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
        featurePlan: cognito.FeaturePlan.ESSENTIALS,
        userInvitation: {
          emailSubject: '督办系统账号开通',
          emailBody:
            '您的督办系统账号已开通。用户名:{username},临时密码:{####}。首次登录须修改密码并绑定身份验证器(TOTP)。',
        },
        // The accounts are the office's record of who may act for which unit: never dropped by a deploy.
        deletionProtection: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });

      const client = userPool.addClient('WebClient', {
        // A browser app: a public client (no secret) using the authorization code flow with PKCE.
        generateSecret: false,
        authFlows: { userSrp: true },
        oAuth: {
          flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
          scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
          callbackUrls: [...config.callbackUrls],
          ...(config.logoutUrls.length > 0 ? { logoutUrls: [...config.logoutUrls] } : {}),
        },
        supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
        preventUserExistenceErrors: true,
        enableTokenRevocation: true,
        accessTokenValidity: Duration.hours(1),
        idTokenValidity: Duration.hours(1),
        // A working day; then the user signs in again (with MFA).
        refreshTokenValidity: Duration.hours(12),
        authSessionValidity: Duration.minutes(5),
        readAttributes: new cognito.ClientAttributes()
          .withStandardAttributes({ email: true, emailVerified: true, fullname: true })
          .withCustomAttributes('role', 'unitId'),
        writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ fullname: true }),
      });

      if (config.domainPrefix !== undefined) {
        this.domain = userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: config.domainPrefix } });
        new CfnOutput(this, 'SignInUrl', {
          value: this.domain.baseUrl(),
          description: 'Hosted sign-in of the duban user pool',
        });
      }

      this.userPool = userPool;
      this.userPoolClient = client;
      this.issuer = `https://cognito-idp.${stack.region}.${stack.urlSuffix}/${userPool.userPoolId}`;
      this.audience = [client.userPoolClientId];
      this.roleClaim = COGNITO_ROLE_CLAIM;
      this.unitClaim = COGNITO_UNIT_CLAIM;
      new CfnOutput(this, 'UserPoolId', { value: userPool.userPoolId, description: 'duban user pool' });
      new CfnOutput(this, 'ClientId', { value: client.userPoolClientId, description: 'duban web client' });
    }

    new CfnOutput(this, 'Issuer', { value: this.issuer, description: 'OIDC issuer trusted by the API' });
    this.authorizer = new HttpJwtAuthorizer('JwtAuthorizer', this.issuer, {
      authorizerName: 'duban-jwt',
      identitySource: ['$request.header.Authorization'],
      jwtAudience: [...this.audience],
    });
  }

  /** What a function needs to verify tokens itself, the same way the authorizer does. */
  get functionEnvironment(): Record<string, string> {
    return {
      DUBAN_OIDC_ISSUER: this.issuer,
      DUBAN_OIDC_AUDIENCE: this.audience.join(','),
      DUBAN_ROLE_CLAIM: this.roleClaim,
      DUBAN_UNIT_CLAIM: this.unitClaim,
    };
  }
}
