package stacks

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-webapp/secure-webapp/config"
	"github.com/secure-webapp/secure-webapp/constructs/apptier"
	"github.com/secure-webapp/secure-webapp/constructs/compliance"
	"github.com/secure-webapp/secure-webapp/constructs/database"
	"github.com/secure-webapp/secure-webapp/controls"
)

// Stacks are the app's stacks, in the order they deploy.
type Stacks struct {
	LogArchive *LogArchiveStack
	// LoggingBaselines and Baselines are the baselines of the logging and
	// the workload account, one per governed region, the home region's
	// first; Baseline is the workload account's in the home region.
	LoggingBaselines []*BaselineStack
	Baselines        []*BaselineStack
	Baseline         *BaselineStack
	Data             *DataStack
	Service          *ServiceStack
	// GitHubDeploy is nil unless githubRepository is set.
	GitHubDeploy *GitHubDeployStack
}

// Build adds the stacks to app, orders them, records the facts each
// template is verified against, and attaches the compliance gate. cfg must
// come from config.Load.
func Build(app awscdk.App, cfg *config.Config) *Stacks {
	s := &Stacks{LogArchive: NewLogArchiveStack(app, "LogArchive", cfg)}
	for _, logging := range []bool{true, false} {
		var home *BaselineStack
		for _, region := range cfg.GovernedRegions() {
			b := NewBaselineStack(app, baselineID(logging, region, cfg.Region), cfg, logging, region)
			if home == nil {
				home = b
				// Both accounts' trails write into the log archive, which
				// for the workload account is in another account and can
				// be referred to by name only.
				b.AddStackDependency(s.LogArchive.Stack, jsii.String("the trail writes into the log archive's bucket, with its key"))
			} else {
				b.AddStackDependency(home.Stack, jsii.String("the region's findings go to the home region, whose baseline also made AWS Config's service-linked role"))
			}
			if logging {
				s.LoggingBaselines = append(s.LoggingBaselines, b)
			} else {
				s.Baselines = append(s.Baselines, b)
			}
		}
	}
	s.Baseline = s.Baselines[0]
	s.Data = NewDataStack(app, "Data", cfg)
	s.Service = NewServiceStack(app, "Service", cfg, s.Data)

	// The deployment order, stated even where a reference implies it (the
	// service imports from the data stack): the workload is built once the
	// account is audited, in every governed region.
	for _, b := range s.Baselines {
		s.Data.AddStackDependency(b.Stack, jsii.String("the workload is built in an account that is already audited"))
	}
	s.Service.AddStackDependency(s.Data.Stack, jsii.String("the instances and the load balancer use the network, database and buckets"))
	if cfg.GitHub.Repository != "" {
		s.GitHubDeploy = NewGitHubDeployStack(app, "GitHubDeploy", cfg)
		describe(s.GitHubDeploy.Stack, controls.StackGitHubDeploy, cfg)
	}

	describe(s.LogArchive.Stack, controls.StackLogArchive, cfg)
	for _, bs := range [][]*BaselineStack{s.LoggingBaselines, s.Baselines} {
		for i, b := range bs {
			after := []awscdk.Stack{s.LogArchive.Stack}
			if i > 0 {
				after = []awscdk.Stack{bs[0].Stack}
			}
			describe(b.Stack, b.Kind(), cfg, after...)
		}
	}
	var baselines []awscdk.Stack
	for _, b := range s.Baselines {
		baselines = append(baselines, b.Stack)
	}
	describe(s.Data.Stack, controls.StackData, cfg, baselines...)
	describe(s.Service.Stack, controls.StackService, cfg, s.Data.Stack)

	for _, st := range s.all() {
		organize(st, cfg)
	}
	compliance.Apply(app, cfg.NagReports)
	return s
}

// baselineID is the construct ID of an account's baseline stack in region:
// Baseline and LoggingBaseline in the home region, followed by the region
// elsewhere.
func baselineID(logging bool, region, home string) string {
	id := "Baseline"
	if logging {
		id = "LoggingBaseline"
	}
	if region != home {
		id += "-" + region
	}
	return id
}

// all returns the stacks that were built, in deployment order.
func (s *Stacks) all() []awscdk.Stack {
	out := []awscdk.Stack{s.LogArchive.Stack}
	for _, b := range append(append([]*BaselineStack{}, s.LoggingBaselines...), s.Baselines...) {
		out = append(out, b.Stack)
	}
	out = append(out, s.Data.Stack, s.Service.Stack)
	if s.GitHubDeploy != nil {
		out = append(out, s.GitHubDeploy.Stack)
	}
	return out
}

// organize applies what an organization imposes to every resource of a
// stack: the tags (the app's own, project and profile, and the configured
// ones) and the permissions boundary, which CDK puts on every
// AWS::IAM::Role and AWS::IAM::User, custom-resource roles included. A
// boundary given by name is looked up in the stack's own account.
func organize(stack awscdk.Stack, cfg *config.Config) {
	for _, t := range cfg.Tags() {
		awscdk.Tags_Of(stack).Add(jsii.String(t[0]), jsii.String(t[1]), nil)
	}
	awscdk.Aspects_Of(stack).Add(&untaggedRoles{tags: cfg.Tags()}, nil)
	if b := cfg.Org.PermissionsBoundary; b != "" {
		var policy awsiam.IManagedPolicy
		if strings.HasPrefix(b, "arn:") {
			policy = awsiam.ManagedPolicy_FromManagedPolicyArn(stack, jsii.String("PermissionsBoundary"), jsii.String(b))
		} else {
			policy = awsiam.ManagedPolicy_FromManagedPolicyName(stack, jsii.String("PermissionsBoundary"), jsii.String(b))
		}
		awsiam.PermissionsBoundary_Of(stack).Apply(policy)
	}
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
	role := controls.RoleWorkload
	if *stack.Account() == cfg.LoggingAccount {
		role = controls.RoleLogArchive
	}
	m := controls.StackFacts{
		Role:            role,
		Stack:           kind,
		StackName:       *stack.StackName(),
		Profile:         string(cfg.Profile),
		WorkloadAccount: cfg.WorkloadAccount,
		LoggingAccount:  cfg.LoggingAccount,
		TrailARN:        cfg.TrailARN(),
		LoggingTrailARN: cfg.LoggingTrailARN(),
		TrailBucketName: cfg.TrailBucketName(),
		TrailKeyAlias:   cfg.TrailKeyAliasARN(),
		LockMode:        cfg.LogArchive.LockMode,
		LockDays:        cfg.LogArchive.LockDays,
		Tags:            map[string]string{},
		Boundary:        cfg.BoundaryARN(*stack.Account()),
		Guardians:       cfg.ArchiveGuardians(),
	}
	for _, t := range cfg.Tags() {
		m.Tags[t[0]] = t[1]
	}
	for _, a := range after {
		m.DeploysAfter = append(m.DeploysAfter, *a.StackName())
	}
	m.Region, m.HomeRegion, m.GovernedRegions = *stack.Region(), cfg.Region, cfg.GovernedRegions()
	m.LogRetentionDays, m.AlertEmail = cfg.LogRetentionDays, cfg.AlertEmail != ""
	m.SecurityHubStandards, m.CentralDetection = cfg.Detection.Standards(), !cfg.Detection.Services
	if m.Role == controls.RoleWorkload {
		m.AZCount, m.NatGateways, m.InterfaceEndpoints = cfg.Network.AZCount, cfg.Network.NATs(), cfg.Network.InterfaceEndpoints
		m.Zones, m.ZonesByID = cfg.Network.AZs(cfg.Region), cfg.Network.ByZoneID()
		m.InternetEgress = cfg.Network.InternetEgress
		m.DBBackupDays, m.DBRotationDays, m.DBPort = cfg.Database.BackupDays, cfg.Database.RotationDays, cfg.Database.Port
		m.DBAppUser = database.AppUsername
		m.AppPort, m.SessionManager = cfg.App.Port, cfg.App.SessionManager
		m.DomainName, m.HostedZoneID = cfg.DomainName, cfg.HostedZoneID
		m.TrailS3DataEvents = cfg.Detection.TrailS3DataEvents
		m.GitHubRepository = cfg.GitHub.Repository
		m.UploadPrefix, m.AppCompute = apptier.UploadPrefix, apptier.Compute
	}
	stack.TemplateOptions().SetMetadata(&map[string]any{controls.MetadataKey: m.Map()})
}

// untaggedRoles tags the IAM roles and Lambda functions that CDK writes as
// plain CloudFormation resources (the providers of its custom resources,
// such as the one that empties the default security group), which CDK's
// tag aspect cannot reach: they take Tags like any other.
type untaggedRoles struct{ tags [][2]string }

// Visit implements awscdk.IAspect.
func (a *untaggedRoles) Visit(node constructs.IConstruct) {
	if !*awscdk.CfnResource_IsCfnResource(node) || *awscdk.TagManager_IsTaggable(node) {
		return
	}
	r := node.(awscdk.CfnResource)
	switch *r.CfnResourceType() {
	case "AWS::IAM::Role", "AWS::Lambda::Function":
		tags := make([]map[string]string, len(a.tags))
		for i, t := range a.tags {
			tags[i] = map[string]string{"Key": t[0], "Value": t[1]}
		}
		r.AddPropertyOverride(jsii.String("Tags"), tags)
	}
}
