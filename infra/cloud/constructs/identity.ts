import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct, type Node } from 'constructs';

/** Claim names Cognito gives the pool's custom attributes (in ID tokens). */
export const COGNITO_ROLE_CLAIM = 'custom:role';
export const COGNITO_UNIT_CLAIM = 'custom:unitId';

/** What the pages ask for at sign-in (space-separated, as in an authorization request). */
export const DEFAULT_SCOPES = 'openid profile email';

/** The pages' sign-in paths, relative to the site's base URL (functions/web/routes/sign-in.tsx). */
export const CALLBACK_PATH = 'signin/callback';
export const SIGNED_OUT_PATH = 'signin';

/**
 * Who issues the tokens. `cognito` (the default) creates a user pool in the stack; `external` trusts
 * an OIDC issuer the deployment names (Keycloak, Authing, a province's SSO) — the variant for the
 * AWS China regions, where Cognito user pools are not offered.
 */
export type IdentityConfig =
  | {
      readonly kind: 'cognito';
      /**
       * Prefix of the hosted sign-in domain (`<prefix>.auth.<region>.amazoncognito.com`), unique in
       * the region. @default `duban-<account id>`
       */
      readonly domainPrefix?: string;
    }
  | {
      readonly kind: 'external';
      /** Exactly the `iss` of the tokens; API Gateway reads `<issuer>/.well-known/openid-configuration`. */
      readonly issuer: string;
      /** The `aud` (or `client_id`) values accepted; always includes `clientId`. */
      readonly audience: readonly string[];
      /** The pages' client at the issuer (its ID tokens carry it in `aud`). */
      readonly clientId: string;
      /** Space-separated scopes the pages ask for. */
      readonly scopes: string;
      /**
       * Only if the issuer will not accept a public client: the ARN of a Secrets Manager secret the
       * office created with the client secret. The function reads it at cold start.
       */
      readonly clientSecretArn?: string;
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

/** Context keys of earlier versions, now derived from the site's URL: naming one is a mistake. */
const RETIRED_KEYS: Record<string, string> = {
  callbackUrls:
    'the callback URL is <siteUrl>/signin/callback; give -c siteUrl=https://… for a custom domain',
  logoutUrls: 'the sign-out URL is <siteUrl>/signin; give -c siteUrl=https://… for a custom domain',
};

/**
 * Reads the identity variant from CDK context: `oidcIssuer` (with `oidcAudience`, and optionally
 * `oidcClientId`, `oidcScopes`, `oidcClientSecretArn`, `roleClaim`, `unitClaim`) selects the
 * external issuer; otherwise a Cognito user pool, with `cognitoDomainPrefix` if given. Mistakes
 * fail the synth.
 */
export function identityConfigFromContext(node: Node): IdentityConfig {
  for (const [key, why] of Object.entries(RETIRED_KEYS)) {
    if (node.tryGetContext(key) !== undefined) throw new Error(`Context ${key} is no longer read: ${why}`);
  }
  const issuer = stringFromContext(node, 'oidcIssuer');
  if (issuer !== undefined) {
    const audience = listFromContext(node, 'oidcAudience');
    if (audience.length === 0) {
      throw new Error(
        'Context oidcIssuer needs oidcAudience (the client id or audience the issuer puts in aud)',
      );
    }
    // The pages' client: by default the (first) audience, the usual case of one client for both.
    const clientId = stringFromContext(node, 'oidcClientId') ?? (audience[0] as string);
    const scopes = (stringFromContext(node, 'oidcScopes') ?? DEFAULT_SCOPES).split(/[\s,]+/).filter(Boolean);
    if (!scopes.includes('openid')) throw new Error('Context oidcScopes must include openid');
    const clientSecretArn = stringFromContext(node, 'oidcClientSecretArn');
    if (
      clientSecretArn !== undefined &&
      !/^arn:aws[\w-]*:secretsmanager:[\w-]+:\d{12}:secret:.+$/.test(clientSecretArn)
    ) {
      throw new Error(`Context oidcClientSecretArn must be a Secrets Manager secret ARN: ${clientSecretArn}`);
    }
    return {
      kind: 'external',
      issuer: httpsUrl(issuer, 'oidcIssuer'),
      // The pages' ID tokens name their client in aud: the API and the authorizer must accept it.
      audience: audience.includes(clientId) ? audience : [...audience, clientId],
      clientId,
      scopes: scopes.join(' '),
      ...(clientSecretArn === undefined ? {} : { clientSecretArn }),
      roleClaim: stringFromContext(node, 'roleClaim') ?? 'role',
      unitClaim: stringFromContext(node, 'unitClaim') ?? 'unitId',
    };
  }
  for (const key of [
    'oidcAudience',
    'oidcClientId',
    'oidcScopes',
    'oidcClientSecretArn',
    'roleClaim',
    'unitClaim',
  ]) {
    if (node.tryGetContext(key) !== undefined) throw new Error(`Context ${key} is only read with oidcIssuer`);
  }
  const domainPrefix = stringFromContext(node, 'cognitoDomainPrefix');
  if (domainPrefix !== undefined && !/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(domainPrefix)) {
    throw new Error(
      `Context cognitoDomainPrefix must be lowercase letters, digits and inner hyphens (at most 63): ${domainPrefix}`,
    );
  }
  if (domainPrefix !== undefined && /aws|amazon|cognito/.test(domainPrefix)) {
    throw new Error(`Context cognitoDomainPrefix may not contain aws, amazon or cognito: ${domainPrefix}`);
  }
  return { kind: 'cognito', ...(domainPrefix === undefined ? {} : { domainPrefix }) };
}

/**
 * A site origin as its base URL ending in `/`: https, no path (the pages are served from the root
 * and link to /signin, /my …, so a path would break them).
 */
export function siteBaseUrl(value: string, key = 'siteUrl'): string {
  const url = new URL(httpsUrl(value, key));
  if (url.search !== '' || url.hash !== '' || url.pathname !== '/') {
    throw new Error(`Context ${key} must be an origin such as https://duban.example.gov.cn: ${value}`);
  }
  return url.href;
}

/** Context `siteUrl` (a custom domain in front of the API) as a base URL, or undefined. */
export function siteUrlFromContext(node: Node): string | undefined {
  const value = stringFromContext(node, 'siteUrl');
  return value === undefined ? undefined : siteBaseUrl(value);
}

export interface IdentityProps {
  readonly config: IdentityConfig;
  /**
   * The site's base URL ending in `/` (may be a CDK token, such as the HTTP API's URL): the pages'
   * callback is `<siteUrl>signin/callback`, and the issuer returns there after signing out.
   */
  readonly siteUrl: string;
}

/**
 * The token issuer of a deployment, the HTTP API's JWT authorizer for it, and the pages' sign-in
 * client, in either variant. The API function gets the same issuer, audience and claim names
 * (`functionEnvironment`) and what its sign-in needs (`signInEnvironment`).
 */
export class Identity extends Construct {
  readonly issuer: string;
  readonly audience: readonly string[];
  readonly roleClaim: string;
  readonly unitClaim: string;
  readonly authorizer: HttpJwtAuthorizer;
  /** The pages' client id at the issuer. */
  readonly clientId: string;
  /** `<site>/signin/callback`: registered with the client (by the stack for Cognito, by the office elsewhere). */
  readonly callbackUrl: string;
  /** `<site>/signin`: where the issuer sends the browser after signing out there. */
  readonly signedOutUrl: string;
  readonly scopes: string;
  /** Only for an external issuer that requires a confidential client. */
  readonly clientSecretArn?: string;
  /** Only in the Cognito variant. */
  readonly userPool?: cognito.UserPool;
  readonly userPoolClient?: cognito.UserPoolClient;
  readonly domain?: cognito.UserPoolDomain;
  /** Cognito's `/logout` on the hosted-UI domain (it publishes no end_session_endpoint). */
  readonly logoutEndpoint?: string;

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id);
    const { config } = props;
    this.callbackUrl = `${props.siteUrl}${CALLBACK_PATH}`;
    this.signedOutUrl = `${props.siteUrl}${SIGNED_OUT_PATH}`;

    if (config.kind === 'external') {
      this.issuer = config.issuer;
      this.audience = config.audience;
      this.roleClaim = config.roleClaim;
      this.unitClaim = config.unitClaim;
      this.clientId = config.clientId;
      this.scopes = config.scopes;
      if (config.clientSecretArn !== undefined) this.clientSecretArn = config.clientSecretArn;
      new CfnOutput(this, 'SignInCallbackUrl', {
        value: this.callbackUrl,
        description: `Register with client ${config.clientId} at the issuer as a redirect URI`,
      });
      new CfnOutput(this, 'SignedOutUrl', {
        value: this.signedOutUrl,
        description: `Register with client ${config.clientId} at the issuer as a post-logout redirect URI`,
      });
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

      const scopes = [cognito.OAuthScope.OPENID, cognito.OAuthScope.PROFILE, cognito.OAuthScope.EMAIL];
      const client = userPool.addClient('WebClient', {
        // The pages: a public client (no secret) using the authorization code flow with PKCE (the
        // function sends an S256 challenge on every sign-in; Cognito then requires the verifier).
        generateSecret: false,
        authFlows: { userSrp: true },
        oAuth: {
          flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
          scopes,
          // Tokens of the HTTP API's own URL (unless siteUrl is given): the client refers to the
          // API, and the authorizer (on the API) refers to the client — no cycle, since the
          // AWS::ApiGatewayV2::Api resource itself refers to neither.
          callbackUrls: [this.callbackUrl],
          logoutUrls: [this.signedOutUrl],
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

      // The hosted UI the pages send people to. Prefixes are unique per region across all of AWS:
      // the account id makes the default one ours; a second stack in the account names its own.
      const domainPrefix = config.domainPrefix ?? `duban-${stack.account}`;
      this.domain = userPool.addDomain('Domain', { cognitoDomain: { domainPrefix } });
      this.logoutEndpoint = `${this.domain.baseUrl()}/logout`;
      new CfnOutput(this, 'SignInUrl', {
        value: this.domain.baseUrl(),
        description: 'Hosted sign-in of the duban user pool',
      });

      this.userPool = userPool;
      this.userPoolClient = client;
      this.issuer = `https://cognito-idp.${stack.region}.${stack.urlSuffix}/${userPool.userPoolId}`;
      this.audience = [client.userPoolClientId];
      this.clientId = client.userPoolClientId;
      this.scopes = scopes.map((scope) => scope.scopeName).join(' ');
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

  /**
   * What the API function's pages need to sign people in at the issuer: the client, its callback,
   * the scopes and where sign-out returns. Never a secret: at most the ARN of one.
   */
  get signInEnvironment(): Record<string, string> {
    return {
      DUBAN_OIDC_CLIENT_ID: this.clientId,
      DUBAN_OIDC_REDIRECT_URI: this.callbackUrl,
      DUBAN_OIDC_SCOPES: this.scopes,
      DUBAN_OIDC_POST_LOGOUT_URI: this.signedOutUrl,
      ...(this.logoutEndpoint === undefined
        ? {}
        : { DUBAN_OIDC_COGNITO_LOGOUT_ENDPOINT: this.logoutEndpoint }),
      ...(this.clientSecretArn === undefined ? {} : { DUBAN_OIDC_CLIENT_SECRET_ARN: this.clientSecretArn }),
    };
  }
}
