package logbucket

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-webapp/secure-webapp/constructs/compliance"
	"github.com/secure-webapp/secure-webapp/constructs/emptybucket"
)

// noncurrentDays is how long an overwritten or expired log version is kept.
const noncurrentDays = 30

// Props are the inputs of a log bucket.
type Props struct {
	// ExpirationDays is the age at which logs expire.
	ExpirationDays int
	// Of says whose logs the bucket receives, for the suppression reasons.
	Of string
	// LogRetentionDays is how long the logs of the function that empties
	// the bucket when its stack's first create rolls back are kept.
	LogRetentionDays int
}

// New adds the log bucket to scope under id.
func New(scope constructs.Construct, id string, props *Props) awss3.Bucket {
	b := awss3.NewBucket(scope, jsii.String(id), &awss3.BucketProps{
		// No BucketName: CloudFormation names it, so that a bucket retained
		// by an earlier instance of the stack never blocks the next one.
		// S3 server access logs and load balancer access logs can be
		// delivered only to buckets encrypted with SSE-S3.
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		ObjectOwnership:   awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		EnforceSSL:        jsii.Bool(true),
		MinimumTLSVersion: jsii.Number(1.2),
		Versioned:         jsii.Bool(true),
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Id:                                  jsii.String("ExpireAccessLogs"),
			Expiration:                          awscdk.Duration_Days(jsii.Number(props.ExpirationDays)),
			NoncurrentVersionExpiration:         awscdk.Duration_Days(jsii.Number(noncurrentDays)),
			AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(7)),
		}},
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
	})
	resource := b.Node().DefaultChild() // the AWS::S3::Bucket the rules flag
	compliance.Suppress(resource, "it is the destination of "+props.Of+"; logging it into itself would loop",
		"AwsSolutions-S1", "NIST.800.53.R5-S3BucketLoggingEnabled", "HIPAA.Security-S3BucketLoggingEnabled", "PCI.DSS.321-S3BucketLoggingEnabled")
	compliance.Suppress(resource, "S3 server access log and load balancer access log delivery write only to buckets encrypted with SSE-S3 (AES256), not SSE-KMS",
		"NIST.800.53.R5-S3DefaultEncryptionKMS", "HIPAA.Security-S3DefaultEncryptionKMS", "PCI.DSS.321-S3DefaultEncryptionKMS")
	compliance.Suppress(resource, "access logs are diagnostic; replicating them to a second region is not worth its cost",
		"NIST.800.53.R5-S3BucketReplicationEnabled", "HIPAA.Security-S3BucketReplicationEnabled", "PCI.DSS.321-S3BucketReplicationEnabled")
	// S3 delivers the server access logs of the stack's other buckets
	// while the stack is still being created: a rollback would stop at
	// this bucket without the emptier (LIFE-8).
	emptybucket.New(scope, id+"EmptyOnRollback", &emptybucket.Props{Bucket: b, LogRetentionDays: props.LogRetentionDays})
	return b
}
