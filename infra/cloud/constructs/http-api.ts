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

/** What serves the API's routes. */
export interface HttpApiTarget {
  /** The function that serves every route. */
  readonly handler: lambda.IFunction;
  /** Guards `/v1/*`; the health check, API docs and pages stay public. */
  readonly authorizer: apigw.IHttpRouteAuthorizer;
}

/**
 * An HTTP API that hands every path to one Lambda function (the Hono app does the routing), with
 * throttling and JSON access logs on its default stage. `/v1/*` passes the authorizer first; the
 * more specific route wins in API Gateway, so `/{proxy+}` only ever serves the public paths: the
 * health check, the API docs and the pages (`/`, `/signin`, `/signin/callback`, `/my` …), which
 * carry their session in a cookie the app verifies, not in an Authorization header.
 *
 * Built in two steps — the API and its stage first, the routes with `serve` — because the sign-in
 * client must know the API's URL (its callback) and the function must know the client, while the
 * routes need the function and the authorizer.
 */
export class HttpApi extends Construct {
  readonly api: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  /** `ANY /` and `ANY /{proxy+}`: no authorizer (health, OpenAPI, docs, pages). Filled by `serve`. */
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

  /** Routes every path to `target.handler`, `/v1/*` through `target.authorizer`. Call once. */
  serve(target: HttpApiTarget): void {
    if (this.publicRoutes.length > 0) throw new Error('HttpApi.serve was called twice');
    const integration = new HttpLambdaIntegration('Integration', target.handler);
    this.publicRoutes.push(
      ...this.api.addRoutes({ path: '/', methods: [apigw.HttpMethod.ANY], integration }),
      ...this.api.addRoutes({ path: '/{proxy+}', methods: [apigw.HttpMethod.ANY], integration }),
    );
    this.api.addRoutes({
      path: '/v1/{proxy+}',
      methods: [apigw.HttpMethod.ANY],
      integration,
      authorizer: target.authorizer,
    });
  }
}
