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
	// LogGroupName is the CloudWatch Logs group that receives a copy.
	LogGroupName string
	// LogRetentionDays is how long the CloudWatch Logs copy is kept.
	LogRetentionDays int
	// DataEventBuckets (optional) are the buckets whose object reads and
	// writes the trail records (S3 data events).
	DataEventBuckets []awss3.IBucket
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
	logKey := logs.NewKey(c, "LogKey", "Encrypts the CloudWatch Logs copy of trail "+props.TrailName, props.LogGroupName)
	logGroup := logs.NewGroup(c, "LogGroup", props.LogGroupName, logKey, props.LogRetentionDays)

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
	if len(props.DataEventBuckets) > 0 {
		sel := make([]*awscloudtrail.S3EventSelector, len(props.DataEventBuckets))
		for i, b := range props.DataEventBuckets {
			sel[i] = &awscloudtrail.S3EventSelector{Bucket: b}
		}
		trail.AddS3EventSelector(&sel, &awscloudtrail.AddEventSelectorOptions{
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
