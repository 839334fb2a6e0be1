package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-webapp/secure-webapp/config"
	"github.com/secure-webapp/secure-webapp/constructs/compliance"
	"github.com/secure-webapp/secure-webapp/controls"
)

// Stacks are the app's stacks.
type Stacks struct {
	LogArchive *LogArchiveStack
	Workload   *WorkloadStack
}

// Build adds both stacks to app and attaches the compliance gate. cfg must
// come from config.Load.
func Build(app awscdk.App, cfg *config.Config) *Stacks {
	s := &Stacks{
		LogArchive: NewLogArchiveStack(app, "LogArchive", cfg),
		Workload:   NewWorkloadStack(app, "Workload", cfg),
	}
	awscdk.Tags_Of(app).Add(jsii.String("project"), jsii.String(cfg.AppName), nil)
	compliance.Apply(app)
	return s
}

// stackProps are the properties both stacks share: an explicit environment
// (no lookups), termination protection in production.
func stackProps(cfg *config.Config, account, name, description string) *awscdk.StackProps {
	return &awscdk.StackProps{
		Env:                   &awscdk.Environment{Account: jsii.String(account), Region: jsii.String(cfg.Region)},
		StackName:             jsii.String(name),
		Description:           jsii.String(description),
		TerminationProtection: jsii.Bool(cfg.Profile == config.Production),
	}
}

// describe writes the facts that cmd/verify checks a template against into
// the template's metadata, so that a template can be verified on its own.
func describe(stack awscdk.Stack, role controls.Role, cfg *config.Config) {
	m := controls.StackFacts{
		Role:            role,
		Profile:         string(cfg.Profile),
		WorkloadAccount: cfg.WorkloadAccount,
		LoggingAccount:  cfg.LoggingAccount,
		TrailARN:        cfg.TrailARN(),
		TrailBucketName: cfg.TrailBucketName(),
		TrailKeyAlias:   cfg.TrailKeyAliasARN(),
		LockMode:        cfg.LogArchive.LockMode,
		LockDays:        cfg.LogArchive.LockDays,
	}
	if role == controls.RoleWorkload {
		m.AZCount, m.NatGateways, m.InterfaceEndpoints = cfg.Network.AZCount, cfg.Network.NatGateways, cfg.Network.InterfaceEndpoints
		m.LogRetentionDays = cfg.LogRetentionDays
		m.DBBackupDays, m.DBRotationDays = cfg.Database.BackupDays, cfg.Database.RotationDays
		m.Region, m.AppPort, m.SessionManager = cfg.Region, cfg.App.Port, cfg.App.SessionManager
		m.AlertEmail, m.DomainName, m.HostedZoneID = cfg.AlertEmail != "", cfg.DomainName, cfg.HostedZoneID
		m.TrailS3DataEvents, m.SecurityHubStandards = cfg.Detection.TrailS3DataEvents, cfg.Detection.Standards()
		m.CentralDetection = !cfg.Detection.Services
	}
	stack.TemplateOptions().SetMetadata(&map[string]any{controls.MetadataKey: m.Map()})
}
