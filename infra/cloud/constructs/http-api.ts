import { CfnOutput } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface HttpApiProps {
  /** @default 50 requests per second */
  readonly rateLimit?: number;
  /** @default 100 */
  readonly burstLimit?: number;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly accessLogRetention?: logs.RetentionDays;
}

/** What serves the API's routes: two functions, one per half of the app. */
export interface HttpApiTarget {
  /** `/v1/*` (the JSON API) and `/health`: what a unit's phone calls (functions/api/handler.ts). */
  readonly api: lambda.IFunction;
  /** Every other path: the pages, their sign-in, `/openapi.json`, `/docs` (functions/site/handler.ts). */
  readonly site: lambda.IFunction;
  /** Guards `/v1/*`; the health check, API docs and pages stay public. */
  readonly authorizer: apigw.IHttpRouteAuthorizer;
}

/**
 * An HTTP API in front of two functions, with throttling and JSON access logs on its default
 * stage. API Gateway picks the most specific route: `/v1/*` goes through the authorizer to the API
 * function, `/health` to the API function without it, and `/` and `/{proxy+}` — only ever the
 * public paths then: the pages (`/`, `/signin`, `/signin/callback`, `/my` …), which carry their
 * session in a cookie the app verifies, not in an Authorization header, and the API docs — to the
 * site function. The Hono apps do the rest of the routing.
 *
 * Built in two steps — the API and its stage first, the routes with `serve` — because the sign-in
 * client must know the API's URL (its callback) and the functions must know the client, while the
 * routes need the functions and the authorizer.
 */
export class HttpApi extends Construct {
  readonly api: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  /** `ANY /health`, `ANY /` and `ANY /{proxy+}`: no authorizer (health, OpenAPI, docs, pages). Filled by `serve`. */
  readonly publicRoutes: apigw.HttpRoute[] = [];
  /** The default stage's URL, ending in `/` (a token until deployed). */
  readonly url: string;

  constructor(scope: Construct, id: string, props: HttpApiProps = {}) {
    super(scope, id);

    // The default stage is created here rather than by HttpApi, which cannot throttle or log it.
    this.api = new apigw.HttpApi(this, 'Api', { createDefaultStage: false });

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? logs.RetentionDays.ONE_MONTH,
    });

    // Only variables HTTP APIs support (resourcePath and friends are REST-API-only).
    const format = AccessLogFormat.custom(
      JSON.stringify({
        requestId: '$context.requestId',
        ip: '$context.identity.sourceIp',
        requestTime: '$context.requestTime',
        routeKey: '$context.routeKey',
        path: '$context.path',
        status: '$context.status',
        protocol: '$context.protocol',
        responseLength: '$context.responseLength',
        responseLatency: '$context.responseLatency',
        integrationLatency: '$context.integrationLatency',
        integrationError: '$context.integrationErrorMessage',
        // Why the JWT authorizer refused a request, and whose token it accepted (never the token).
        authorizerError: '$context.authorizer.error',
        sub: '$context.authorizer.claims.sub',
      }),
    );

    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit ?? 50, burstLimit: props.burstLimit ?? 100 },
      accessLogSettings: { destination: new apigw.LogGroupLogDestination(accessLogs), format },
    });

    this.url = this.stage.url;
    new CfnOutput(this, 'Url', { value: this.url, description: 'Base URL of the duban HTTP API' });
  }

  /** Routes `/v1/*` (through `target.authorizer`) and `/health` to `target.api`, every other path to `target.site`. Call once. */
  serve(target: HttpApiTarget): void {
    if (this.publicRoutes.length > 0) throw new Error('HttpApi.serve was called twice');
    const api = new HttpLambdaIntegration('ApiIntegration', target.api);
    const site = new HttpLambdaIntegration('SiteIntegration', target.site);
    this.publicRoutes.push(
      ...this.api.addRoutes({ path: '/health', methods: [apigw.HttpMethod.ANY], integration: api }),
      ...this.api.addRoutes({ path: '/', methods: [apigw.HttpMethod.ANY], integration: site }),
      ...this.api.addRoutes({ path: '/{proxy+}', methods: [apigw.HttpMethod.ANY], integration: site }),
    );
    this.api.addRoutes({
      path: '/v1/{proxy+}',
      methods: [apigw.HttpMethod.ANY],
      integration: api,
      authorizer: target.authorizer,
    });
  }
}
