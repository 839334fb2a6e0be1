package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-webapp/secure-webapp/config"
	"github.com/secure-webapp/secure-webapp/constructs/logarchive"
)

// LogArchiveStack is the stack of the logging account.
type LogArchiveStack struct {
	awscdk.Stack
	Archive *logarchive.LogArchive
}

// NewLogArchiveStack builds the log archive in cfg.LoggingAccount.
func NewLogArchiveStack(scope constructs.Construct, id string, cfg *config.Config) *LogArchiveStack {
	stack := awscdk.NewStack(scope, jsii.String(id), stackProps(cfg, cfg.LoggingAccount, cfg.LogArchiveStackName(), true,
		"Log archive: the CloudTrail bucket and key of "+cfg.AppName+", which the workload account can write to but not delete from"))
	archive := logarchive.New(stack, "Archive", &logarchive.Props{
		Trails: []logarchive.Trail{
			{Name: "Workload", ARN: cfg.TrailARN(), Account: cfg.WorkloadAccount},
			{Name: "Logging", ARN: cfg.LoggingTrailARN(), Account: cfg.LoggingAccount},
		},
		BucketName:       cfg.TrailBucketName(),
		KeyAlias:         cfg.TrailKeyAlias(),
		LockMode:         cfg.LogArchive.LockMode,
		LockDays:         cfg.LogArchive.LockDays,
		TransitionDays:   cfg.LogArchive.TransitionDays,
		ExpirationDays:   cfg.LogArchive.ExpirationDays,
		Guardians:        cfg.ArchiveGuardians(),
		LogRetentionDays: cfg.LogRetentionDays,
	})
	return &LogArchiveStack{Stack: stack, Archive: archive}
}
