import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import { Construct, type IConstruct } from 'constructs';
import { EVIDENCE_KEY_ROOT } from '../../../shared/domain/evidence/file-key.js';

export interface EvidenceBucketProps {
  /** How long the bucket's server access logs are kept. @default 365 days */
  readonly accessLogRetention?: Duration;
}

/**
 * What the API needs for evidence: presign a PUT under the evidence prefix, and check that a file
 * a submission lists has arrived (HeadObject, which S3 authorizes as s3:GetObject). Nothing else.
 */
export const EVIDENCE_UPLOAD_ACTIONS = ['s3:PutObject', 's3:GetObject'] as const;

/**
 * The evidence files (佐证材料) units upload through presigned PUTs: private (all public access
 * blocked, bucket-owner objects, TLS only), encrypted with S3-managed keys, written create-only (the
 * presigned PUT signs `If-None-Match: *`), versioned so that a submission can name the version it
 * listed, and kept when the stack is deleted. Every request is
 * logged to a separate access-log bucket: who uploaded what is part of the accountability record.
 */
export class EvidenceBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: EvidenceBucketProps = {}) {
    super(scope, id);
    // Log delivery through the log bucket's policy, not the legacy LogDeliveryWrite ACL, which
    // bucket-owner-enforced ownership forbids. Set on this construct only, before its children.
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);

    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        {
          expiration: props.accessLogRetention ?? Duration.days(365),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // cdk-nag's S1 (server access logs) does not apply: it recognises this as another bucket's log target.

    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'evidence/',
      lifecycleRules: [{ abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      // Browsers PUT straight to S3 from the pages. Any origin: the presigned URL is the credential
      // (bound to one key, type and size for 15 minutes), CORS protects nothing here, and naming the
      // API's own origin would make the bucket depend on the HTTP API, which depends on the function,
      // which depends on the bucket.
      cors: [
        {
          allowedMethods: [s3.HttpMethods.PUT],
          allowedOrigins: ['*'],
          // The presigned PUT signs If-None-Match: * (create only): the browser must be let send it.
          allowedHeaders: ['content-type', 'if-none-match'],
          exposedHeaders: ['ETag'],
          maxAge: 3000,
        },
      ],
      // Evidence is the record of what a unit submitted: a stack delete must never take it along.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /**
   * Lets `grantee` presign uploads and check they arrived: s3:PutObject and s3:GetObject on
   * `duties/*` only. Narrower than `grantReadWrite`, which adds delete, legal hold, retention,
   * tagging and multipart abort that a presigned PUT and a HeadObject never need.
   */
  grantUpload(grantee: iam.IGrantable & IConstruct): iam.Grant {
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: [...EVIDENCE_UPLOAD_ACTIONS],
      resourceArns: [this.bucket.arnForObjects(`${EVIDENCE_KEY_ROOT}/*`)],
    });
    Validations.of(grantee).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${this.bucketLogicalId()}.Arn>/${EVIDENCE_KEY_ROOT}/*]`,
      reason:
        'Evidence keys are made per upload (duties/<duty id>/<random id>-<name>), so the grant names the prefix; it allows s3:PutObject and s3:GetObject (the HeadObject check that a submitted file arrived) only, in this bucket only.',
    });
    return grant;
  }

  private bucketLogicalId(): string {
    const child = this.bucket.node.defaultChild;
    if (!(child instanceof s3.CfnBucket)) throw new Error(`${this.bucket.node.path} has no CfnBucket`);
    return this.bucket.stack.getLogicalId(child);
  }
}
