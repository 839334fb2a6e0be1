package database

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsrds"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-webapp/secure-webapp/constructs/compliance"
	"github.com/secure-webapp/secure-webapp/constructs/keys"
	"github.com/secure-webapp/secure-webapp/constructs/logs"
	"github.com/secure-webapp/secure-webapp/constructs/network"
	"github.com/secure-webapp/secure-webapp/constructs/sdkcall"
	"github.com/secure-webapp/secure-webapp/internal/rdsca"
)

// MasterUsername is the administrator's user name: not the engine's default
// ("postgres"), which is the first name an attacker tries (FSBP RDS.25).
const MasterUsername = "webapp_admin"

// LogExports are the PostgreSQL logs exported to CloudWatch Logs.
var LogExports = []string{"postgresql", "upgrade"}

// Props are the inputs of a Database. All are required.
type Props struct {
	// Network places the database in its Data subnets and the rotation
	// function in its App subnets.
	Network *network.Network
	// Clients are the security groups admitted to the database port.
	Clients []awsec2.ISecurityGroup
	// Identifier is the RDS instance identifier, followed by the stack's
	// unique suffix (logs.StackUnique). RDS names the exported logs' groups
	// after the instance (/aws/rds/instance/<identifier>/<log>); they are
	// created, encrypted and retained, before the instance, and the suffix
	// keeps the groups retained by an earlier instance of the stack from
	// blocking the next.
	Identifier string
	// Port is the port the database listens on.
	Port int
	// InstanceClass is an RDS instance class such as db.t4g.micro.
	InstanceClass string
	// StorageGiB is the initial storage; autoscaling may grow it fivefold.
	StorageGiB int
	// BackupDays is the automated backup retention.
	BackupDays int
	// RotationDays is the master password's rotation interval.
	RotationDays int
	// LogRetentionDays is how long the exported logs are kept.
	LogRetentionDays int
}

// Database is the PostgreSQL database, its master credentials and the
// application's own user.
type Database struct {
	constructs.Construct
	Instance awsrds.DatabaseInstance
	// AppUser is the application's database user (IAM authentication
	// only), Name the database it connects to.
	AppUser, Name string
	// CABundle holds the RDS root certificate authorities of the region,
	// PEM-encoded, that clients verify the server with.
	CABundle string
	// Secret holds the master credentials (and, once attached, the
	// endpoint). Only the database-user function and the rotation function
	// read it.
	Secret awssecretsmanager.ISecret
	// SecretKey encrypts Secret.
	SecretKey awskms.IKey
	// SecurityGroup is the database's security group.
	SecurityGroup awsec2.ISecurityGroup
	// Created is done once the instance and its rotation exist: what fails
	// late in a first deployment.
	Created constructs.IDependable
}

// New builds the database.
func New(scope constructs.Construct, id string, props *Props) *Database {
	c := constructs.NewConstruct(scope, &id)
	vpc := props.Network.Vpc

	dataKey := keys.New(c, "DataKey", &keys.Props{Description: "Encrypts the storage, snapshots and Performance Insights of database " + props.Identifier,
		UsedThrough: []string{"rds"}})
	secretKey := keys.New(c, "SecretKey", &keys.Props{Description: "Encrypts the master credentials of database " + props.Identifier,
		UsedThrough: []string{"secretsmanager"}})
	secret := awsrds.NewDatabaseSecret(c, jsii.String("MasterSecret"), &awsrds.DatabaseSecretProps{
		Username:      jsii.String(MasterUsername),
		EncryptionKey: secretKey,
	})
	secret.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE)

	identifier := logs.StackUnique(c, props.Identifier)
	names := make([]string, len(LogExports))
	for i, l := range LogExports {
		names[i] = "/aws/rds/instance/" + identifier + "/" + l
	}
	logKey := logs.NewKey(c, "LogKey", "Encrypts the exported logs of database "+props.Identifier, names...)
	var groups []constructs.IDependable
	for i, n := range names {
		groups = append(groups, logs.NewGroup(c, title(LogExports[i])+"LogGroup", n, logKey, props.LogRetentionDays))
	}

	sg := awsec2.NewSecurityGroup(c, jsii.String("SecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc:              vpc,
		Description:      jsii.String("PostgreSQL: the database port from the app tier, the rotation function and the database-user function only, by security group"),
		AllowAllOutbound: jsii.Bool(false),
	})
	params := awsrds.NewParameterGroup(c, jsii.String("Parameters"), &awsrds.ParameterGroupProps{
		Engine:      engine(),
		Description: jsii.String("TLS only, TLS 1.2 or later"),
		Parameters: &map[string]*string{
			"rds.force_ssl":            jsii.String("1"),
			"ssl_min_protocol_version": jsii.String("TLSv1.2"),
		},
	})
	instance := awsrds.NewDatabaseInstance(c, jsii.String("Instance"), &awsrds.DatabaseInstanceProps{
		Engine:                          engine(),
		InstanceIdentifier:              jsii.String(identifier),
		InstanceType:                    awsec2.NewInstanceType(jsii.String(strings.TrimPrefix(props.InstanceClass, "db."))),
		Vpc:                             vpc,
		VpcSubnets:                      network.Subnets(network.DataSubnets),
		SecurityGroups:                  &[]awsec2.ISecurityGroup{sg},
		Port:                            jsii.Number(props.Port),
		PubliclyAccessible:              jsii.Bool(false),
		MultiAz:                         jsii.Bool(true),
		Credentials:                     awsrds.Credentials_FromSecret(secret, nil),
		ParameterGroup:                  params,
		StorageType:                     awsrds.StorageType_GP3,
		AllocatedStorage:                jsii.Number(props.StorageGiB),
		MaxAllocatedStorage:             jsii.Number(min(props.StorageGiB*5, 65536)),
		StorageEncrypted:                jsii.Bool(true),
		StorageEncryptionKey:            dataKey,
		BackupRetention:                 awscdk.Duration_Days(jsii.Number(props.BackupDays)),
		CopyTagsToSnapshot:              jsii.Bool(true),
		DeleteAutomatedBackups:          jsii.Bool(false),
		DeletionProtection:              jsii.Bool(true),
		RemovalPolicy:                   awscdk.RemovalPolicy_SNAPSHOT,
		IamAuthentication:               jsii.Bool(true),
		CloudwatchLogsExports:           jsii.Strings(LogExports...),
		EnablePerformanceInsights:       jsii.Bool(true),
		PerformanceInsightEncryptionKey: dataKey,
		PerformanceInsightRetention:     awsrds.PerformanceInsightRetention_DEFAULT,
		MonitoringInterval:              awscdk.Duration_Seconds(jsii.Number(60)),
		AutoMinorVersionUpgrade:         jsii.Bool(true),
		AllowMajorVersionUpgrade:        jsii.Bool(false),
		CaCertificate:                   awsrds.CaCertificate_RDS_CA_RSA2048_G1(),
		DatabaseName:                    jsii.String(DatabaseName),
	})
	instance.Node().AddDependency(groups...)
	cfn := instance.Node().DefaultChild()
	if props.Port == 5432 {
		compliance.Suppress(cfn, "a non-default port hides nothing from anyone who can reach the database, and only three security groups can (DB-8); the standard port keeps every PostgreSQL client working unconfigured (dbPort changes it)",
			"AwsSolutions-RDS11")
	}
	compliance.Suppress(cfn, "recovery is RDS's own: automated backups with point-in-time recovery for the configured 7 to 35 days (DB-3), and a final snapshot when the stack is deleted; an AWS Backup plan (for example to copy snapshots to another account) is an addition left to the forker",
		"NIST.800.53.R5-RDSInBackupPlan", "HIPAA.Security-RDSInBackupPlan")

	rotationSG := awsec2.NewSecurityGroup(c, jsii.String("RotationSecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc:              vpc,
		Description:      jsii.String("Password rotation function: the database port and HTTPS to Secrets Manager only"),
		AllowAllOutbound: jsii.Bool(false),
	})
	dbPort := awsec2.Port_Tcp(jsii.Number(props.Port))
	sg.Connections().AllowFrom(rotationSG, dbPort, jsii.String("Password rotation function"))
	for _, client := range props.Clients {
		sg.Connections().AllowFrom(client, dbPort, jsii.String("App tier"))
	}
	props.Network.AllowAWSAPIs(rotationSG)

	attached := instance.Secret()
	// The rotation function is made by the Secrets Manager transform at
	// deployment, outside the template: it would log into a group of
	// Lambda's own (unencrypted, kept forever). Named in advance, its group
	// is claimed before the first rotation (logs.Claim).
	rotationFunction := props.Identifier + "-rotation"
	rotationGroup := "/aws/lambda/" + rotationFunction
	rotationLogKey := logs.NewKey(c, "RotationLogKey", "Encrypts the logs of the password rotation function of database "+props.Identifier, rotationGroup)
	claimed := sdkcall.ClaimLogGroup(c, "RotationLogGroup", rotationGroup, rotationLogKey, props.LogRetentionDays)
	rotation := attached.AddRotationSchedule(jsii.String("Rotation"), &awssecretsmanager.RotationScheduleOptions{
		AutomaticallyAfter: awscdk.Duration_Days(jsii.Number(props.RotationDays)),
		HostedRotation: awssecretsmanager.HostedRotation_PostgreSqlSingleUser(&awssecretsmanager.SingleUserHostedRotationOptions{
			FunctionName:   jsii.String(rotationFunction),
			Vpc:            vpc,
			VpcSubnets:     network.Subnets(network.AppSubnets),
			SecurityGroups: &[]awsec2.ISecurityGroup{rotationSG},
		}),
	})
	rotation.Node().AddDependency(claimed)

	region := *awscdk.Stack_Of(c).Region()
	caBundle := rdsca.Bundle(region)
	if caBundle == "" {
		panic("database: no RDS root CA for region " + region) // config.Load rejects such a region
	}
	appUser := newAppUser(c, "AppUser", &appUserProps{
		network:      props.Network,
		database:     sg,
		port:         dbPort,
		masterSecret: *attached.SecretArn(),
		readSecret: []awsiam.PolicyStatement{
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       jsii.String("ReadTheMasterSecret"),
				Actions:   jsii.Strings("secretsmanager:GetSecretValue"),
				Resources: &[]*string{attached.SecretArn()},
			}),
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:        jsii.String("DecryptTheMasterSecret"),
				Actions:    jsii.Strings("kms:Decrypt"),
				Resources:  &[]*string{secretKey.KeyArn()},
				Conditions: &map[string]any{"StringEquals": map[string]any{"kms:ViaService": "secretsmanager." + region + ".amazonaws.com"}},
			}),
		},
		caBundle:      caBundle,
		logGroupName:  "/" + props.Identifier + "/database-user-function",
		retentionDays: props.LogRetentionDays,
	})

	if role := instance.Node().TryFindChild(jsii.String("MonitoringRole")); role != nil {
		compliance.Suppress(role, "AmazonRDSEnhancedMonitoringRole is the policy RDS documents for enhanced monitoring; it only lets RDS write OS metrics to the RDSOSMetrics log group",
			"AwsSolutions-IAM4")
		// Only this account's database instances may have RDS assume it
		// (RDS user guide, "Setting up and enabling Enhanced Monitoring",
		// protecting against the confused deputy problem).
		stack := awscdk.Stack_Of(c)
		role.Node().DefaultChild().(awscdk.CfnResource).AddPropertyOverride(jsii.String("AssumeRolePolicyDocument.Statement.0.Condition"), map[string]any{
			"StringEquals": map[string]any{"aws:SourceAccount": *stack.Account()},
			"ArnLike":      map[string]any{"aws:SourceArn": "arn:" + *stack.Partition() + ":rds:" + region + ":" + *stack.Account() + ":db:*"},
		})
	}
	return &Database{Construct: c, Instance: instance, AppUser: AppUsername, Name: DatabaseName, CABundle: caBundle,
		Secret: attached, SecretKey: secretKey, SecurityGroup: sg, Created: constructs.NewDependencyGroup(instance, rotation, appUser)}
}

func engine() awsrds.IInstanceEngine {
	return awsrds.DatabaseInstanceEngine_Postgres(&awsrds.PostgresInstanceEngineProps{Version: awsrds.PostgresEngineVersion_VER_18()})
}

func title(s string) string { return strings.ToUpper(s[:1]) + s[1:] }
