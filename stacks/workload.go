package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-webapp/secure-webapp/config"
	"github.com/secure-webapp/secure-webapp/constructs/trail"
	"github.com/secure-webapp/secure-webapp/controls"
)

// WorkloadStack is the stack of the workload account.
type WorkloadStack struct {
	awscdk.Stack
	Trail *trail.Trail
}

// NewWorkloadStack builds the workload in cfg.WorkloadAccount.
func NewWorkloadStack(scope constructs.Construct, id string, cfg *config.Config) *WorkloadStack {
	stack := awscdk.NewStack(scope, jsii.String(id), stackProps(cfg, cfg.WorkloadAccount, cfg.WorkloadStackName(),
		"Workload of "+cfg.AppName+": its CloudTrail trail into the log archive of account "+cfg.LoggingAccount))
	describe(stack, controls.RoleWorkload, cfg)
	t := trail.New(stack, "Audit", &trail.Props{
		TrailName:         cfg.TrailName(),
		ArchiveBucketName: cfg.TrailBucketName(),
		ArchiveAccount:    cfg.LoggingAccount,
		ArchiveKeyARN:     cfg.TrailKeyAliasARN(),
		LogGroupName:      "/" + cfg.AppName + "/cloudtrail",
		LogRetention:      awslogs.RetentionDays_ONE_YEAR,
	})
	return &WorkloadStack{Stack: stack, Trail: t}
}
