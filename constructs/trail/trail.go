package trail

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudtrail"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-webapp/secure-webapp/constructs/compliance"
	"github.com/secure-webapp/secure-webapp/constructs/logs"
)

// Props are the inputs of a Trail. All are required.
type Props struct {
	// TrailName is the trail's name; the log archive's policies admit only
	// the ARN built from it.
	TrailName string
	// ArchiveBucketName and ArchiveAccount locate the log archive's bucket.
	ArchiveBucketName string
	ArchiveAccount    string
	// ArchiveKeyARN is the ARN (or alias ARN) of the log archive's KMS key.
	ArchiveKeyARN string
	// LogGroupName names the CloudWatch Logs group that receives a copy,
	// followed by the stack's unique suffix (logs.StackUnique).
	LogGroupName string
	// LogRetentionDays is how long the CloudWatch Logs copy is kept.
	LogRetentionDays int
	// S3DataEvents records the object reads and writes of every bucket in
	// the account (S3 data events), as FSBP S3.22 and S3.23 and CIS 3.8 and
	// 3.9 ask. Every bucket, not the application's alone: the trail lives in
	// the account baseline, deployed before the buckets of the workload, and
	// a trail that named them would make the baseline depend on the workload.
	S3DataEvents bool
}

// Trail is the workload account's trail.
type Trail struct {
	constructs.Construct
	Trail awscloudtrail.Trail
	// LogGroup receives every event the trail records.
	LogGroup awslogs.ILogGroup
	// LogKey encrypts LogGroup.
	LogKey awskms.IKey
}

// New builds the trail.
func New(scope constructs.Construct, id string, props *Props) *Trail {
	c := constructs.NewConstruct(scope, &id)
	groupName := logs.StackUnique(c, props.LogGroupName)
	logKey := logs.NewKey(c, "LogKey", "Encrypts the CloudWatch Logs copy of trail "+props.TrailName, groupName)
	logGroup := logs.NewGroup(c, "LogGroup", groupName, logKey, props.LogRetentionDays)

	bucket := awss3.Bucket_FromBucketAttributes(c, jsii.String("ArchiveBucket"), &awss3.BucketAttributes{
		BucketName: jsii.String(props.ArchiveBucketName),
		Account:    jsii.String(props.ArchiveAccount),
	})
	key := awskms.Key_FromKeyArn(c, jsii.String("ArchiveKey"), jsii.String(props.ArchiveKeyARN))
	trail := awscloudtrail.NewTrail(c, jsii.String("Trail"), &awscloudtrail.TrailProps{
		TrailName:                  jsii.String(props.TrailName),
		Bucket:                     bucket,
		EncryptionKey:              key,
		IsMultiRegionTrail:         jsii.Bool(true),
		IncludeGlobalServiceEvents: jsii.Bool(true),
		EnableFileValidation:       jsii.Bool(true),
		ManagementEvents:           awscloudtrail.ReadWriteType_ALL,
		SendToCloudWatchLogs:       jsii.Bool(true),
		CloudWatchLogGroup:         logGroup,
	})
	if props.S3DataEvents {
		trail.LogAllS3DataEvents(&awscloudtrail.AddEventSelectorOptions{
			ReadWriteType:           awscloudtrail.ReadWriteType_ALL,
			IncludeManagementEvents: jsii.Bool(true),
		})
	}
	// The role CDK makes for CloudWatch Logs delivery; its policy is what the rules flag.
	logsPolicy := trail.Node().FindChild(jsii.String("LogsRole")).Node().FindChild(jsii.String("DefaultPolicy"))
	compliance.Suppress(logsPolicy, "CloudTrail writes to log streams that it creates and names itself; the policy is scoped to this one log group's streams",
		"AwsSolutions-IAM5")
	compliance.Suppress(logsPolicy, "the role belongs to this trail alone and its inline policy only writes to this trail's log group; an inline policy cannot be attached to any other principal, which a managed policy could",
		"NIST.800.53.R5-IAMNoInlinePolicy", "HIPAA.Security-IAMNoInlinePolicy", "PCI.DSS.321-IAMNoInlinePolicy")

	return &Trail{Construct: c, Trail: trail, LogGroup: logGroup, LogKey: logKey}
}
