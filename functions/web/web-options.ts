import type { Principal } from '../../shared/auth/principal.js';
import type { OidcSignIn } from './oidc-sign-in.js';

/** One person the local sign-in page offers: the office, a leader, or a unit's clerk. */
export interface SignInUser {
  /** What the sign-in form posts; the principal is looked up from it, never taken from the form. */
  key: string;
  label: string;
  /** The heading the user is listed under (办公室与领导, 乡镇 …). */
  group: string;
  principal: Principal;
}

/** The local runtime's demo sign-in. Absent in AWS, so the page and its POST do not exist there. */
export interface LocalSignIn {
  users(): Promise<SignInUser[]>;
  /** A session token for `principal`, verifiable by the app's `verifyToken`. */
  issue(principal: Principal): Promise<string>;
}

export interface WebOptions {
  signIn?: LocalSignIn | undefined;
  /**
   * Sign-in at an OpenID Connect issuer (Cognito's hosted UI, a province's SSO): the authorization
   * code flow with PKCE. Its tokens must be ones `verifyToken` accepts. Ignored when `signIn` is set.
   */
  oidc?: OidcSignIn | undefined;
  /**
   * Mark the session cookie Secure. Omitted: Secure exactly when the request came over https
   * (always the case behind the AWS HTTP API).
   */
  cookieSecure?: boolean | undefined;
  /**
   * The origin evidence upload URLs point at when it is not this site (the S3 bucket's https
   * origin in AWS): the duty page's CSP lets its upload script connect there. Omitted: this site
   * only (the local runtime serves uploads itself).
   */
  evidenceUploadOrigin?: string | undefined;
}
