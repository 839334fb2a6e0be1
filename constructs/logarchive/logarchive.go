package logarchive

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-webapp/secure-webapp/constructs/compliance"
	"github.com/secure-webapp/secure-webapp/constructs/keys"
	"github.com/secure-webapp/secure-webapp/constructs/logbucket"
	"github.com/secure-webapp/secure-webapp/controls"
)

// Trail is a trail that writes into the archive.
type Trail struct {
	// Name is what the policy statements call it (Workload, Logging).
	Name string
	// ARN and Account are the trail's ARN and its account.
	ARN, Account string
}

// Props are the inputs of a LogArchive. All are required.
type Props struct {
	// Trails are the trails allowed to write, and nothing else may: the
	// workload account's, then the logging account's own. Each writes under
	// AWSLogs/<its account>/ only, scoped by aws:SourceArn in the bucket and
	// key policies, with its account in the encryption context.
	Trails []Trail
	// BucketName is the bucket's deterministic name, which the workload
	// account's trail names across the account boundary. Its server access
	// log bucket is named by CloudFormation: nothing outside refers to it,
	// and a retained bucket under a fixed name would block a redeploy.
	BucketName string
	// KeyAlias is the alias ("alias/...") of the log key.
	KeyAlias string
	// LockMode is "GOVERNANCE" or "COMPLIANCE"; LockDays the default retention.
	LockMode string
	LockDays int
	// TransitionDays moves logs to Glacier Instant Retrieval; ExpirationDays
	// expires them (and the server access logs).
	TransitionDays int
	ExpirationDays int
	// LogRetentionDays is how long the logs of the function that empties
	// the access-log bucket in a rollback (constructs/emptybucket) are kept.
	LogRetentionDays int
	// Guardians are the ARNs of the only roles that may change the
	// archive's protections (GuardedKeyActions, GuardedBucketActions): the
	// break-glass role, and the role CloudFormation deploys this stack with,
	// without which the next deployment could not update its own policies.
	Guardians []string
}

// LogArchive is the log archive of the logging account.
type LogArchive struct {
	constructs.Construct
	// Bucket receives the CloudTrail logs.
	Bucket awss3.IBucket
	// AccessLogBucket receives Bucket's server access logs.
	AccessLogBucket awss3.IBucket
	// Key encrypts Bucket's objects.
	Key awskms.IKey
}

// noncurrentDays is how long an overwritten or expired object version is kept
// (Object Lock still protects it until its retention ends).
const noncurrentDays = 30

// New builds the log archive.
func New(scope constructs.Construct, id string, props *Props) *LogArchive {
	c := constructs.NewConstruct(scope, &id)
	stack := awscdk.Stack_Of(c)

	key := keys.New(c, "Key", &keys.Props{Alias: props.KeyAlias, Description: "Encrypts the CloudTrail logs of the trails of " + props.BucketName})
	cloudtrail := awsiam.NewServicePrincipal(jsii.String("cloudtrail.amazonaws.com"), nil)
	var trailARNs, trailContexts []string
	for _, tr := range props.Trails {
		trailContext := fmt.Sprintf("arn:%s:cloudtrail:*:%s:trail/*", *stack.Partition(), tr.Account)
		trailARNs, trailContexts = append(trailARNs, tr.ARN), append(trailContexts, trailContext)
		key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("CloudTrailEncryptLogsOfThe" + tr.Name + "Trail"),
			Principals: &[]awsiam.IPrincipal{cloudtrail},
			Actions:    jsii.Strings("kms:GenerateDataKey*"),
			Resources:  jsii.Strings("*"),
			Conditions: &map[string]any{
				"StringEquals": map[string]any{"aws:SourceArn": tr.ARN},
				"StringLike":   map[string]any{"kms:EncryptionContext:aws:cloudtrail:arn": trailContext},
			},
		}), jsii.Bool(false))
	}
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("CloudTrailDescribeKey"),
		Principals: &[]awsiam.IPrincipal{cloudtrail},
		Actions:    jsii.Strings("kms:DescribeKey"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceArn": trailARNs}},
	}), jsii.Bool(false))
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("LoggingAccountDecryptsLogs"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewAccountRootPrincipal()},
		Actions:    jsii.Strings("kms:Decrypt", "kms:ReEncryptFrom"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{
			"StringEquals": map[string]any{"kms:CallerAccount": *stack.Account()},
			"StringLike":   map[string]any{"kms:EncryptionContext:aws:cloudtrail:arn": trailContexts},
		},
	}), jsii.Bool(false))

	// The archive resists its own account: an administrator of the logging
	// account who could schedule the key's deletion, disable it or rewrite
	// its policy could make every archived log unreadable, Object Lock or
	// not. Only the guardians may.
	guarded := &map[string]any{"ArnNotEquals": map[string]any{"aws:PrincipalArn": props.Guardians}}
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("OnlyTheGuardiansChangeTheKey"),
		Effect:     awsiam.Effect_DENY,
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings(controls.GuardedKeyActions...),
		Resources:  jsii.Strings("*"),
		Conditions: guarded,
	}), jsii.Bool(false))

	expire := awscdk.Duration_Days(jsii.Number(float64(props.ExpirationDays)))
	accessLogs := logbucket.New(c, "AccessLogBucket", &logbucket.Props{
		ExpirationDays:   props.ExpirationDays,
		Of:               "the log archive's server access logs",
		LogRetentionDays: props.LogRetentionDays,
	})

	retention := awss3.ObjectLockRetention_Governance
	if props.LockMode == "COMPLIANCE" {
		retention = awss3.ObjectLockRetention_Compliance
	}
	bucket := awss3.NewBucket(c, jsii.String("Bucket"), &awss3.BucketProps{
		BucketName:                 jsii.String(props.BucketName),
		Encryption:                 awss3.BucketEncryption_KMS,
		EncryptionKey:              key,
		BlockPublicAccess:          awss3.BlockPublicAccess_BLOCK_ALL(),
		ObjectOwnership:            awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		EnforceSSL:                 jsii.Bool(true),
		MinimumTLSVersion:          jsii.Number(1.2),
		Versioned:                  jsii.Bool(true),
		ObjectLockEnabled:          jsii.Bool(true),
		ObjectLockDefaultRetention: retention(awscdk.Duration_Days(jsii.Number(float64(props.LockDays)))),
		ServerAccessLogsBucket:     accessLogs,
		ServerAccessLogsPrefix:     jsii.String(props.BucketName + "/"),
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Id: jsii.String("ArchiveThenExpire"),
			Transitions: &[]*awss3.Transition{{
				StorageClass:    awss3.StorageClass_GLACIER_INSTANT_RETRIEVAL(),
				TransitionAfter: awscdk.Duration_Days(jsii.Number(float64(props.TransitionDays))),
			}},
			Expiration:                          expire,
			NoncurrentVersionExpiration:         awscdk.Duration_Days(jsii.Number(noncurrentDays)),
			AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(7)),
		}},
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
	})

	bucket.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("CloudTrailAclCheck"),
		Principals: &[]awsiam.IPrincipal{cloudtrail},
		Actions:    jsii.Strings("s3:GetBucketAcl"),
		Resources:  &[]*string{bucket.BucketArn()},
		Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceArn": trailARNs}},
	}))
	for _, tr := range props.Trails {
		sid := "CloudTrailWrite"
		if tr.Name != props.Trails[0].Name {
			sid += tr.Name + "Trail"
		}
		bucket.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String(sid),
			Principals: &[]awsiam.IPrincipal{cloudtrail},
			Actions:    jsii.Strings("s3:PutObject"),
			Resources:  &[]*string{bucket.ArnForObjects(jsii.String("AWSLogs/" + tr.Account + "/*"))},
			Conditions: &map[string]any{"StringEquals": map[string]any{
				"aws:SourceArn": tr.ARN,
				"s3:x-amz-acl":  "bucket-owner-full-control",
			}},
		}))
	}
	bucket.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("DenyDeleteOutsideLoggingAccount"),
		Effect:     awsiam.Effect_DENY,
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings("s3:DeleteObject", "s3:DeleteObjectVersion", "s3:BypassGovernanceRetention", "s3:PutObjectRetention", "s3:PutObjectLegalHold"),
		Resources:  &[]*string{bucket.ArnForObjects(jsii.String("*"))},
		Conditions: &map[string]any{"StringNotEquals": map[string]any{"aws:PrincipalAccount": *stack.Account()}},
	}))
	bucket.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("OnlyTheGuardiansChangeTheProtections"),
		Effect:     awsiam.Effect_DENY,
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings(controls.GuardedBucketActions...),
		Resources:  &[]*string{bucket.BucketArn()},
		Conditions: guarded,
	}))
	bucket.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		// GOVERNANCE mode lets a principal with s3:BypassGovernanceRetention
		// delete a locked object early: in this account, only a guardian.
		Sid:        jsii.String("OnlyTheGuardiansBypassRetention"),
		Effect:     awsiam.Effect_DENY,
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings(controls.GuardedObjectActions...),
		Resources:  &[]*string{bucket.ArnForObjects(jsii.String("*"))},
		Conditions: guarded,
	}))
	compliance.Suppress(bucket.Node().DefaultChild(), "cross-region replication is a disaster-recovery choice left to the forker; versioning and Object Lock already protect the logs' integrity, and the trail is multi-region",
		"NIST.800.53.R5-S3BucketReplicationEnabled", "HIPAA.Security-S3BucketReplicationEnabled", "PCI.DSS.321-S3BucketReplicationEnabled")

	return &LogArchive{Construct: c, Bucket: bucket, AccessLogBucket: accessLogs, Key: key}
}
