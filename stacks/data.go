package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-webapp/secure-webapp/config"
	"github.com/secure-webapp/secure-webapp/constructs/apptier"
	"github.com/secure-webapp/secure-webapp/constructs/database"
	"github.com/secure-webapp/secure-webapp/constructs/logbucket"
	"github.com/secure-webapp/secure-webapp/constructs/network"
)

// DataStack is the stateful part of the workload: the network, the database
// and its secret, the application bucket, the access logs, and their keys.
type DataStack struct {
	awscdk.Stack
	Network   *network.Network
	Database  *database.Database
	AppBucket *apptier.Bucket
	// AccessLogs receives the application bucket's server access logs and
	// the load balancer's access logs.
	AccessLogs awss3.IBucket
}

// NewDataStack builds the stateful workload in cfg.WorkloadAccount.
func NewDataStack(scope constructs.Construct, id string, cfg *config.Config) *DataStack {
	stack := awscdk.NewStack(scope, jsii.String(id), stackProps(cfg, cfg.WorkloadAccount, cfg.DataStackName(), false,
		"Stateful workload of "+cfg.AppName+": its network, PostgreSQL database and secret, application bucket and access logs"))
	network.PinZones(stack, cfg.Network.AZs(cfg.Region))
	net := network.New(stack, "Network", &network.Props{
		CIDR:                 cfg.Network.CIDR,
		AZs:                  cfg.Network.AZs(cfg.Region),
		ByZoneID:             cfg.Network.ByZoneID(),
		SubnetPrefix:         cfg.Network.SubnetPrefix(),
		InternetEgress:       cfg.Network.InternetEgress,
		NatGateways:          cfg.Network.NATs(),
		InterfaceEndpoints:   cfg.Network.InterfaceEndpoints,
		SessionManager:       cfg.App.SessionManager,
		AppServices:          apptier.EndpointServices(apptier.Grants()),
		FlowLogGroupName:     "/" + cfg.AppName + "/vpc-flow-logs",
		FunctionLogGroupName: "/" + cfg.AppName + "/restrict-default-security-group",
		LogRetentionDays:     cfg.LogRetentionDays,
	})
	apptier.DeclareSecurityGroup(net.AppSecurityGroup)
	db := database.New(stack, "Database", &database.Props{
		Network:          net,
		Clients:          []awsec2.ISecurityGroup{net.AppSecurityGroup},
		Identifier:       cfg.DatabaseIdentifier(),
		Port:             cfg.Database.Port,
		InstanceClass:    cfg.Database.InstanceClass,
		StorageGiB:       cfg.Database.StorageGiB,
		BackupDays:       cfg.Database.BackupDays,
		RotationDays:     cfg.Database.RotationDays,
		LogRetentionDays: cfg.LogRetentionDays,
	})
	accessLogs := logbucket.New(stack, "AccessLogBucket", &logbucket.Props{
		ExpirationDays:   cfg.LogRetentionDays,
		Of:               "the load balancer's access logs and the application bucket's server access logs",
		LogRetentionDays: cfg.LogRetentionDays,
	})
	bucket := apptier.NewBucket(stack, "AppBucket", &apptier.BucketProps{AccessLogs: accessLogs})
	// The buckets come last: S3 delivers server access logs (and the load
	// balancer a test file) into the access-log bucket soon after it exists,
	// and CloudFormation cannot delete a bucket that holds objects. Were the
	// database's creation (the longest, and the likeliest to fail) to fail
	// after them, the rollback would stop at a bucket (ROLLBACK_FAILED).
	accessLogs.Node().AddDependency(db.Created)
	bucket.Node().AddDependency(db.Created)
	// The app tier reaches the package repositories and the application
	// bucket (and, with internetEgress, the internet).
	net.AllowOutbound(net.AppSecurityGroup, "App tier")
	// Until this release the Service stack imported the master secret and
	// its key (the instances read the secret; they now authenticate with
	// IAM). A deployed Service stack still imports both until its update,
	// which comes after this stack's, and CloudFormation refuses to delete
	// an export in use: keep them for one release (docs/DEPLOY.md, "Removing
	// a consumer of a cross-stack reference"), then delete these two lines.
	stack.ExportValue(db.Secret.SecretArn(), nil)
	stack.ExportValue(db.SecretKey.KeyArn(), nil)
	awscdk.NewCfnOutput(stack, jsii.String("DatabaseIdentifier"), &awscdk.CfnOutputProps{
		Description: jsii.String("The RDS instance identifier (" + cfg.DatabaseIdentifier() + "- and this stack's suffix), for the commands of docs/DEPLOY.md"),
		Value:       db.Instance.InstanceIdentifier(),
	})
	return &DataStack{Stack: stack, Network: net, Database: db, AppBucket: bucket, AccessLogs: accessLogs}
}
