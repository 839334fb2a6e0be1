package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-webapp/secure-webapp/config"
	"github.com/secure-webapp/secure-webapp/constructs/database"
	"github.com/secure-webapp/secure-webapp/constructs/network"
	"github.com/secure-webapp/secure-webapp/constructs/trail"
	"github.com/secure-webapp/secure-webapp/controls"
)

// WorkloadStack is the stack of the workload account.
type WorkloadStack struct {
	awscdk.Stack
	Trail    *trail.Trail
	Network  *network.Network
	Database *database.Database
}

// NewWorkloadStack builds the workload in cfg.WorkloadAccount.
func NewWorkloadStack(scope constructs.Construct, id string, cfg *config.Config) *WorkloadStack {
	stack := awscdk.NewStack(scope, jsii.String(id), stackProps(cfg, cfg.WorkloadAccount, cfg.WorkloadStackName(),
		"Workload of "+cfg.AppName+": its network, PostgreSQL database and CloudTrail trail (into the log archive of account "+cfg.LoggingAccount+")"))
	describe(stack, controls.RoleWorkload, cfg)
	network.PinZones(stack, cfg.Network.AZs(cfg.Region))
	t := trail.New(stack, "Audit", &trail.Props{
		TrailName:         cfg.TrailName(),
		ArchiveBucketName: cfg.TrailBucketName(),
		ArchiveAccount:    cfg.LoggingAccount,
		ArchiveKeyARN:     cfg.TrailKeyAliasARN(),
		LogGroupName:      "/" + cfg.AppName + "/cloudtrail",
		LogRetentionDays:  cfg.LogRetentionDays,
	})
	net := network.New(stack, "Network", &network.Props{
		CIDR:               cfg.Network.CIDR,
		AZs:                cfg.Network.AZs(cfg.Region),
		SubnetPrefix:       cfg.Network.SubnetPrefix(),
		NatGateways:        cfg.Network.NatGateways,
		InterfaceEndpoints: cfg.Network.InterfaceEndpoints,
		FlowLogGroupName:   "/" + cfg.AppName + "/vpc-flow-logs",
		LogRetentionDays:   cfg.LogRetentionDays,
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
	return &WorkloadStack{Stack: stack, Trail: t, Network: net, Database: db}
}
