package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-webapp/secure-webapp/config"
	"github.com/secure-webapp/secure-webapp/constructs/alerts"
	"github.com/secure-webapp/secure-webapp/constructs/app"
	"github.com/secure-webapp/secure-webapp/constructs/baseline"
	"github.com/secure-webapp/secure-webapp/constructs/database"
	"github.com/secure-webapp/secure-webapp/constructs/detection"
	"github.com/secure-webapp/secure-webapp/constructs/edge"
	"github.com/secure-webapp/secure-webapp/constructs/logbucket"
	"github.com/secure-webapp/secure-webapp/constructs/network"
	"github.com/secure-webapp/secure-webapp/constructs/trail"
	"github.com/secure-webapp/secure-webapp/controls"
)

// WorkloadStack is the stack of the workload account.
type WorkloadStack struct {
	awscdk.Stack
	Trail     *trail.Trail
	Network   *network.Network
	Database  *database.Database
	Alerts    *alerts.Alerts
	App       *app.App
	Edge      *edge.Edge
	Baseline  *baseline.Baseline
	Detection *detection.Detection
}

// NewWorkloadStack builds the workload in cfg.WorkloadAccount.
func NewWorkloadStack(scope constructs.Construct, id string, cfg *config.Config) *WorkloadStack {
	stack := awscdk.NewStack(scope, jsii.String(id), stackProps(cfg, cfg.WorkloadAccount, cfg.WorkloadStackName(),
		"Workload of "+cfg.AppName+": its network, PostgreSQL database, app tier, HTTPS load balancer and CloudTrail trail (into the log archive of account "+cfg.LoggingAccount+")"))
	describe(stack, controls.RoleWorkload, cfg)
	network.PinZones(stack, cfg.Network.AZs(cfg.Region))
	net := network.New(stack, "Network", &network.Props{
		CIDR:                    cfg.Network.CIDR,
		AZs:                     cfg.Network.AZs(cfg.Region),
		SubnetPrefix:            cfg.Network.SubnetPrefix(),
		NatGateways:             cfg.Network.NatGateways,
		InterfaceEndpoints:      cfg.Network.InterfaceEndpoints,
		SessionManagerEndpoints: cfg.App.SessionManager,
		FlowLogGroupName:        "/" + cfg.AppName + "/vpc-flow-logs",
		LogRetentionDays:        cfg.LogRetentionDays,
	})
	db := database.New(stack, "Database", &database.Props{
		Network:          net,
		Clients:          []awsec2.ISecurityGroup{net.AppSecurityGroup},
		Identifier:       cfg.DatabaseIdentifier(),
		InstanceClass:    cfg.Database.InstanceClass,
		StorageGiB:       cfg.Database.StorageGiB,
		BackupDays:       cfg.Database.BackupDays,
		RotationDays:     cfg.Database.RotationDays,
		LogRetentionDays: cfg.LogRetentionDays,
	})
	alert := alerts.New(stack, "Alerts", &alerts.Props{TopicName: cfg.AppName + "-alerts", Email: cfg.AlertEmail})
	accessLogs := logbucket.New(stack, "AccessLogBucket", &logbucket.Props{
		ExpirationDays: cfg.LogRetentionDays,
		Of:             "the load balancer's access logs and the application bucket's server access logs",
	})
	tier := app.New(stack, "App", &app.Props{
		Network:           net,
		SecurityGroup:     net.AppSecurityGroup,
		DatabaseSecret:    db.Secret,
		DatabaseSecretKey: db.SecretKey,
		AccessLogs:        accessLogs,
		Alerts:            alert.Topic,
		InstanceType:      cfg.App.InstanceType,
		MinCapacity:       cfg.App.MinCapacity,
		MaxCapacity:       cfg.App.MaxCapacity,
		Port:              cfg.App.Port,
		SessionManager:    cfg.App.SessionManager,
		AZs:               cfg.Network.AZs(cfg.Region),
	})
	var dataEvents []awss3.IBucket
	if cfg.Detection.TrailS3DataEvents {
		dataEvents = append(dataEvents, tier.Bucket)
	}
	t := trail.New(stack, "Audit", &trail.Props{
		TrailName:         cfg.TrailName(),
		ArchiveBucketName: cfg.TrailBucketName(),
		ArchiveAccount:    cfg.LoggingAccount,
		ArchiveKeyARN:     cfg.TrailKeyAliasARN(),
		LogGroupName:      "/" + cfg.AppName + "/cloudtrail",
		LogRetentionDays:  cfg.LogRetentionDays,
		DataEventBuckets:  dataEvents,
	})
	base := baseline.New(stack, "Baseline", &baseline.Props{
		LogGroupName:     "/" + cfg.AppName + "/account-baseline",
		LogRetentionDays: cfg.LogRetentionDays,
	})
	det := detection.New(stack, "Detection", &detection.Props{
		AppName:         cfg.AppName,
		Services:        cfg.Detection.Services,
		TrailLogGroup:   t.LogGroup,
		Alerts:          alert.Topic,
		AccessLogs:      accessLogs,
		Standards:       cfg.Detection.Standards(),
		ConfigRoleARN:   base.ConfigRoleARN,
		ConfigRoleReady: base.ConfigRole,
	})
	// The app tier reaches package repositories, the RDS CA bundle and (without
	// interface endpoints) AWS APIs over HTTPS, through the NAT gateways.
	net.AppSecurityGroup.AddEgressRule(awsec2.Peer_AnyIpv4(), awsec2.Port_Tcp(jsii.Number(443)), jsii.String("HTTPS out through the NAT gateways: package updates, the RDS CA bundle, AWS APIs"), nil)
	e := edge.New(stack, "Edge", &edge.Props{
		Network:            net,
		Target:             tier.Target,
		TargetPort:         cfg.App.Port,
		DomainName:         cfg.DomainName,
		HostedZoneID:       cfg.HostedZoneID,
		CertificateARN:     cfg.CertificateARN,
		DeletionProtection: cfg.Profile == config.Production,
		AccessLogs:         accessLogs,
		WAFLogGroupName:    "aws-waf-logs-" + cfg.AppName,
		LogRetentionDays:   cfg.LogRetentionDays,
	})
	awscdk.NewCfnOutput(stack, jsii.String("LoadBalancerDnsName"), &awscdk.CfnOutputProps{
		Description: jsii.String("Point " + cfg.DomainName + " here (CNAME or alias) unless hostedZoneId is set"),
		Value:       e.LoadBalancer.LoadBalancerDnsName(),
	})
	return &WorkloadStack{Stack: stack, Trail: t, Network: net, Database: db, Alerts: alert, App: tier, Edge: e, Baseline: base, Detection: det}
}
