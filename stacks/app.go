package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-webapp/secure-webapp/config"
	"github.com/secure-webapp/secure-webapp/constructs/compliance"
	"github.com/secure-webapp/secure-webapp/controls"
)

// Stacks are the app's stacks, in the order they deploy.
type Stacks struct {
	LogArchive *LogArchiveStack
	Baseline   *BaselineStack
	Data       *DataStack
	Service    *ServiceStack
}

// Build adds the stacks to app, orders them, records the facts each
// template is verified against, and attaches the compliance gate. cfg must
// come from config.Load.
func Build(app awscdk.App, cfg *config.Config) *Stacks {
	s := &Stacks{
		LogArchive: NewLogArchiveStack(app, "LogArchive", cfg),
		Baseline:   NewBaselineStack(app, "Baseline", cfg),
	}
	s.Data = NewDataStack(app, "Data", cfg)
	s.Service = NewServiceStack(app, "Service", cfg, s.Data)

	// The deployment order, stated even where a reference implies it (the
	// service imports from the data stack): the trail writes into the log
	// archive, which is in another account and can be referred to by name
	// only; the workload is built once the account is audited.
	s.Baseline.AddStackDependency(s.LogArchive.Stack, jsii.String("the trail writes into the log archive's bucket, with its key"))
	s.Data.AddStackDependency(s.Baseline.Stack, jsii.String("the workload is built in an account that is already audited"))
	s.Service.AddStackDependency(s.Data.Stack, jsii.String("the instances and the load balancer use the network, database and buckets"))

	describe(s.LogArchive.Stack, controls.StackLogArchive, cfg)
	describe(s.Baseline.Stack, controls.StackBaseline, cfg, s.LogArchive.Stack)
	describe(s.Data.Stack, controls.StackData, cfg, s.Baseline.Stack)
	describe(s.Service.Stack, controls.StackService, cfg, s.Data.Stack)

	awscdk.Tags_Of(app).Add(jsii.String("project"), jsii.String(cfg.AppName), nil)
	compliance.Apply(app)
	return s
}

// stackProps are the properties every stack shares: an explicit environment
// (no lookups), and termination protection for every stack in production
// (the service stack too: its load balancer's deletion protection would
// otherwise stop a `cdk destroy` halfway, after the listeners and instances
// are gone) and for the stacks that are always kept (kept: the log archive,
// whose bucket keeps its fixed name after a teardown).
func stackProps(cfg *config.Config, account, name string, kept bool, description string) *awscdk.StackProps {
	return &awscdk.StackProps{
		Env:                   &awscdk.Environment{Account: jsii.String(account), Region: jsii.String(cfg.Region)},
		StackName:             jsii.String(name),
		Description:           jsii.String(description),
		TerminationProtection: jsii.Bool(kept || cfg.Profile == config.Production),
	}
}

// describe writes the facts that cmd/verify checks a template against into
// the template's metadata, so that a set of templates can be verified on
// its own. after are the stacks this one deploys after.
func describe(stack awscdk.Stack, kind controls.StackKind, cfg *config.Config, after ...awscdk.Stack) {
	m := controls.StackFacts{
		Role:            kind.Role(),
		Stack:           kind,
		StackName:       *stack.StackName(),
		Profile:         string(cfg.Profile),
		WorkloadAccount: cfg.WorkloadAccount,
		LoggingAccount:  cfg.LoggingAccount,
		TrailARN:        cfg.TrailARN(),
		TrailBucketName: cfg.TrailBucketName(),
		TrailKeyAlias:   cfg.TrailKeyAliasARN(),
		LockMode:        cfg.LogArchive.LockMode,
		LockDays:        cfg.LogArchive.LockDays,
	}
	for _, a := range after {
		m.DeploysAfter = append(m.DeploysAfter, *a.StackName())
	}
	if m.Role == controls.RoleWorkload {
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
