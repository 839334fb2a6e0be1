package database

import (
	"fmt"
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-webapp/secure-webapp/constructs/compliance"
	"github.com/secure-webapp/secure-webapp/constructs/logs"
	"github.com/secure-webapp/secure-webapp/constructs/network"
	"github.com/secure-webapp/secure-webapp/controls"
)

// The application's side of the database: its user, which logs in with IAM
// database authentication only, and the one schema it works in.
const (
	// AppUsername is the application's database user.
	AppUsername = "webapp_app"
	// AppSchema is the schema of the application's tables.
	AppSchema = "app"
	// DatabaseName is the database the application uses.
	DatabaseName = "app"
)

var reIdentifier = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// AppUserStatements are the SQL statements that make the application's user
// and grant it what the sample application needs, and nothing else: to
// connect to its database (and no other), with IAM authentication (rds_iam; with it, RDS
// refuses the user's password logins), to use its schema, and to read and add
// rows of the one table the sample application keeps. It owns nothing, so it
// cannot create, alter or drop a table, and it has no other privilege on
// the database, whose PUBLIC privileges are revoked. Each statement can run
// again: a stack update runs them all. A fork adds its tables and their
// grants here (or runs its migrations as another user).
func AppUserStatements(user, database, schema string) []string {
	for _, id := range []string{user, database, schema} {
		if !reIdentifier.MatchString(id) {
			panic(fmt.Sprintf("database: %q is not a plain SQL identifier", id)) // constants of this package
		}
	}
	return []string{
		fmt.Sprintf(`DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '%s') THEN CREATE ROLE %s LOGIN; END IF; END$$`, user, user),
		fmt.Sprintf(`ALTER ROLE %s WITH LOGIN NOCREATEDB NOCREATEROLE INHERIT PASSWORD NULL`, user),
		fmt.Sprintf(`GRANT rds_iam TO %s`, user),
		fmt.Sprintf(`REVOKE ALL ON DATABASE %s FROM PUBLIC`, database),
		// The other databases every role may connect to by default. Where
		// the master does not own them, PostgreSQL only warns that it
		// revoked nothing.
		`REVOKE CONNECT, TEMPORARY ON DATABASE postgres FROM PUBLIC`,
		`REVOKE CONNECT ON DATABASE template1 FROM PUBLIC`,
		fmt.Sprintf(`GRANT CONNECT ON DATABASE %s TO %s`, database, user),
		`REVOKE CREATE ON SCHEMA public FROM PUBLIC`,
		fmt.Sprintf(`CREATE SCHEMA IF NOT EXISTS %s`, schema),
		fmt.Sprintf(`REVOKE ALL ON SCHEMA %s FROM PUBLIC`, schema),
		fmt.Sprintf(`GRANT USAGE ON SCHEMA %s TO %s`, schema, user),
		fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s.visits (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, instance text NOT NULL, at timestamptz NOT NULL DEFAULT now())`, schema),
		fmt.Sprintf(`REVOKE ALL ON ALL TABLES IN SCHEMA %s FROM PUBLIC`, schema),
		fmt.Sprintf(`GRANT SELECT, INSERT ON %s.visits TO %s`, schema, user),
	}
}

// appUserProps are the inputs of newAppUser.
type appUserProps struct {
	network       *network.Network
	database      awsec2.ISecurityGroup
	port          awsec2.Port
	masterSecret  string // ARN of the master secret, with the endpoint attached
	readSecret    []awsiam.PolicyStatement
	caBundle      string
	logGroupName  string
	retentionDays int
}

// newAppUser adds the database-user function and the custom resource that
// runs AppUserStatements through it, once the instance exists and on every
// update.
func newAppUser(scope constructs.Construct, id string, props *appUserProps) awscdk.CustomResource {
	c := constructs.NewConstruct(scope, &id)
	dir, err := bundleAppUserFunction(props.caBundle)
	if err != nil {
		panic(err) // node_modules is missing: the error says to run npm ci
	}
	logGroupName := logs.StackUnique(c, props.logGroupName)
	key := logs.NewKey(c, "LogKey", "Encrypts the logs of the database-user function", logGroupName)
	group := logs.NewGroup(c, "LogGroup", logGroupName, key, props.retentionDays)

	sg := awsec2.NewSecurityGroup(c, jsii.String("SecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc:              props.network.Vpc,
		Description:      jsii.String("Database-user function: the database port, HTTPS to Secrets Manager, and its answer to CloudFormation through S3"),
		AllowAllOutbound: jsii.Bool(false),
	})
	props.database.Connections().AllowFrom(sg, props.port, jsii.String("Database-user function"))
	props.network.AllowAWSAPIs(sg)
	props.network.AllowOutbound(sg, "Database-user function's answer to CloudFormation")

	role := awsiam.NewRole(c, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("Database-user function: reads the master secret, runs in the VPC, writes its logs"),
	})
	statements := append([]awsiam.PolicyStatement{
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("WriteItsLogs"),
			Actions:   jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents"),
			Resources: &[]*string{group.LogGroupArn()},
		}),
		// What Lambda needs to put a function in a VPC (Lambda developer
		// guide, "Giving Lambda functions access to resources in an Amazon
		// VPC"); the EC2 actions take no narrower resource.
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("RunInTheVpc"),
			Actions: jsii.Strings("ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets",
				"ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"),
			Resources: jsii.Strings("*"),
		}),
	}, props.readSecret...)
	policy := awsiam.NewManagedPolicy(c, jsii.String("Policy"), &awsiam.ManagedPolicyProps{
		Description: jsii.String("The only permissions of the database-user function"),
		Roles:       &[]awsiam.IRole{role},
		Statements:  &statements,
	})
	compliance.Suppress(policy.Node().DefaultChild(), "the EC2 network-interface actions Lambda needs to run a function in a VPC support no resource-level permission; the log statement's wildcard is the :* suffix of the function's own log group",
		"AwsSolutions-IAM5")

	fn := awslambda.NewFunction(c, jsii.String("Function"), &awslambda.FunctionProps{
		Description:    jsii.String("Creates the application's database user and its grants (custom resource)"),
		Runtime:        awslambda.Runtime_NODEJS_24_X(),
		Architecture:   awslambda.Architecture_ARM_64(),
		Handler:        jsii.String("index.handler"),
		Code:           awslambda.Code_FromAsset(jsii.String(dir), nil),
		Role:           role,
		Timeout:        awscdk.Duration_Minutes(jsii.Number(3)),
		MemorySize:     jsii.Number(256),
		Vpc:            props.network.Vpc,
		VpcSubnets:     network.Subnets(network.AppSubnets),
		SecurityGroups: &[]awsec2.ISecurityGroup{sg},
		LogGroup:       group,
	})
	fn.Node().AddDependency(policy)
	compliance.Suppress(fn, "CloudFormation invokes it (asynchronously, so Lambda retries a failed invocation twice) once per change of its custom resource, and the handler answers CloudFormation with the failure itself: a dead-letter queue would hold nothing to act on; reserved concurrency would fail in new accounts, whose whole concurrency quota is Lambda's unreserved minimum",
		"NIST.800.53.R5-LambdaConcurrency", "HIPAA.Security-LambdaConcurrency", "NIST.800.53.R5-LambdaDLQ", "HIPAA.Security-LambdaDLQ")

	cr := awscdk.NewCustomResource(c, jsii.String("User"), &awscdk.CustomResourceProps{
		ServiceToken: fn.FunctionArn(),
		ResourceType: jsii.String("Custom::DatabaseUser"),
		// The handler answers within its own timeout (3 minutes); without a
		// service timeout, an answer lost on the way would keep the stack
		// waiting for an hour.
		ServiceTimeout: awscdk.Duration_Minutes(jsii.Number(5)),
		Properties: &map[string]any{
			"MasterSecretArn": props.masterSecret,
			"Database":        DatabaseName,
			"Username":        AppUsername,
			"Statements":      AppUserStatements(AppUsername, DatabaseName, AppSchema),
		},
	})
	// The function must reach the database, Secrets Manager and S3 (its
	// answer to CloudFormation) before it runs, and still reach them when
	// it answers a delete: its rules, its permissions and the VPC
	// endpoints are created before it and deleted after it.
	cr.Node().AddDependency(sg, props.database, policy, props.network.Endpoints)
	cr.Node().DefaultChild().(awscdk.CfnResource).AddMetadata(jsii.String(controls.IdentityKey), jsii.String(controls.IdentityAppDatabaseUser))
	return cr
}
