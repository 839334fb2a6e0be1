package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-webapp/secure-webapp/config"
	"github.com/secure-webapp/secure-webapp/constructs/alerts"
	"github.com/secure-webapp/secure-webapp/constructs/baseline"
	"github.com/secure-webapp/secure-webapp/constructs/detection"
	"github.com/secure-webapp/secure-webapp/constructs/trail"
	"github.com/secure-webapp/secure-webapp/controls"
)

// BaselineStack is the security baseline of one account in one governed
// region: the detection services and EBS encryption by default in every
// region; in the account's home region also its trail, the alarms on it,
// the account-wide settings and the alerts topic that every region's
// serious findings reach.
type BaselineStack struct {
	awscdk.Stack
	// Logging says the stack is the logging account's; Region is its
	// region, the home region or another governed one.
	Logging bool
	Region  string
	// Home says Region is the home region.
	Home bool
	// Alerts and Trail are nil outside the home region.
	Alerts    *alerts.Alerts
	Trail     *trail.Trail
	Baseline  *baseline.Baseline
	Detection *detection.Detection
}

// Kind is the kind of stack it is, for its facts.
func (b *BaselineStack) Kind() controls.StackKind {
	switch {
	case b.Logging && b.Home:
		return controls.StackLoggingBaseline
	case b.Home:
		return controls.StackBaseline
	}
	return controls.StackRegionalBaseline
}

// NewBaselineStack builds the baseline of the workload account (logging
// false) or of the logging account (true) in region, one of
// cfg.GovernedRegions.
func NewBaselineStack(scope constructs.Construct, id string, cfg *config.Config, logging bool, region string) *BaselineStack {
	account, name, who := cfg.WorkloadAccount, cfg.BaselineStackName(), "workload"
	if logging {
		account, name, who = cfg.LoggingAccount, cfg.LoggingBaselineStackName(), "logging"
	}
	home := region == cfg.Region
	description := fmt.Sprintf("Security baseline of the %s account of %s: ", who, cfg.AppName)
	if home {
		description += "its trail into the log archive, the alarms on it, detection services, account settings and the alerts topic"
	} else {
		name = cfg.RegionalBaselineStackName(logging, region)
		description += "detection services and EBS encryption by default in " + region + ", whose serious findings reach the home region " + cfg.Region
	}
	props := stackProps(cfg, account, name, false, description)
	props.Env.Region = jsii.String(region)
	stack := awscdk.NewStack(scope, jsii.String(id), props)
	b := &BaselineStack{Stack: stack, Logging: logging, Region: region, Home: home}

	b.Baseline = baseline.New(stack, "Baseline", &baseline.Props{
		LogRetentionDays: cfg.LogRetentionDays,
		AccountWide:      home,
	})
	dp := &detection.Props{
		AppName:          cfg.AppName,
		Services:         cfg.Detection.Services,
		LogRetentionDays: cfg.LogRetentionDays,
		Standards:        cfg.Detection.Standards(),
		ConfigRoleARN:    b.Baseline.ConfigRoleARN,
		ConfigRoleReady:  b.Baseline.ConfigRole,
		Home:             home,
	}
	if !home {
		dp.HomeBus = fmt.Sprintf("arn:%s:events:%s:%s:event-bus/default", cfg.Partition(), cfg.Region, account)
		b.Detection = detection.New(stack, "Detection", dp)
		return b
	}
	topic, trailName, trailGroup := cfg.AppName+"-alerts", cfg.TrailName(), "/"+cfg.AppName+"/cloudtrail"
	if logging {
		// The logging account's own trail records what its administrators
		// do, into the archive under AWSLogs/<logging account>/, and the
		// alarms on it watch the archive's protections (LOG-10). No S3 data
		// events: the trail's own deliveries into the archive would each be
		// one, a loop.
		topic, trailName, trailGroup = cfg.AppName+"-logging-alerts", cfg.LoggingTrailName(), "/"+cfg.AppName+"/logging-cloudtrail"
		dp.WatchFilters = controls.ArchiveFilters()
	}
	b.Alerts = alerts.New(stack, "Alerts", &alerts.Props{TopicName: topic, Email: cfg.AlertEmail})
	b.Trail = trail.New(stack, "Audit", &trail.Props{
		TrailName:         trailName,
		ArchiveBucketName: cfg.TrailBucketName(),
		ArchiveAccount:    cfg.LoggingAccount,
		ArchiveKeyARN:     cfg.TrailKeyAliasARN(),
		LogGroupName:      trailGroup,
		LogRetentionDays:  cfg.LogRetentionDays,
		S3DataEvents:      cfg.Detection.TrailS3DataEvents && !logging,
	})
	dp.TrailLogGroup, dp.Alerts, dp.AlertsTarget = b.Trail.LogGroup, b.Alerts.Topic, b.Alerts.Target
	dp.LinkedRegions = cfg.OtherRegions()
	b.Detection = detection.New(stack, "Detection", dp)
	return b
}
