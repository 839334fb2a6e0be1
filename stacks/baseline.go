package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-webapp/secure-webapp/config"
	"github.com/secure-webapp/secure-webapp/constructs/alerts"
	"github.com/secure-webapp/secure-webapp/constructs/baseline"
	"github.com/secure-webapp/secure-webapp/constructs/detection"
	"github.com/secure-webapp/secure-webapp/constructs/trail"
)

// BaselineStack is the security baseline of the workload account: what
// exists once per account and region, and the audit trail.
type BaselineStack struct {
	awscdk.Stack
	Alerts    *alerts.Alerts
	Trail     *trail.Trail
	Baseline  *baseline.Baseline
	Detection *detection.Detection
}

// NewBaselineStack builds the account baseline in cfg.WorkloadAccount.
func NewBaselineStack(scope constructs.Construct, id string, cfg *config.Config) *BaselineStack {
	stack := awscdk.NewStack(scope, jsii.String(id), stackProps(cfg, cfg.WorkloadAccount, cfg.BaselineStackName(), false,
		"Security baseline of the workload account of "+cfg.AppName+": CloudTrail into the log archive of account "+cfg.LoggingAccount+", detection services, account settings and the alerts topic"))
	alert := alerts.New(stack, "Alerts", &alerts.Props{TopicName: cfg.AppName + "-alerts", Email: cfg.AlertEmail})
	t := trail.New(stack, "Audit", &trail.Props{
		TrailName:         cfg.TrailName(),
		ArchiveBucketName: cfg.TrailBucketName(),
		ArchiveAccount:    cfg.LoggingAccount,
		ArchiveKeyARN:     cfg.TrailKeyAliasARN(),
		LogGroupName:      "/" + cfg.AppName + "/cloudtrail",
		LogRetentionDays:  cfg.LogRetentionDays,
		S3DataEvents:      cfg.Detection.TrailS3DataEvents,
	})
	base := baseline.New(stack, "Baseline", &baseline.Props{
		LogGroupName:     "/" + cfg.AppName + "/account-baseline",
		LogRetentionDays: cfg.LogRetentionDays,
	})
	det := detection.New(stack, "Detection", &detection.Props{
		AppName:          cfg.AppName,
		Services:         cfg.Detection.Services,
		TrailLogGroup:    t.LogGroup,
		Alerts:           alert.Topic,
		AlertsTarget:     alert.Target,
		LogRetentionDays: cfg.LogRetentionDays,
		Standards:        cfg.Detection.Standards(),
		ConfigRoleARN:    base.ConfigRoleARN,
		ConfigRoleReady:  base.ConfigRole,
		Home:             true,
	})
	return &BaselineStack{Stack: stack, Alerts: alert, Trail: t, Baseline: base, Detection: det}
}
