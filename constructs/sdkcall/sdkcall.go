package sdkcall

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/customresources"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-webapp/secure-webapp/constructs/compliance"
	"github.com/secure-webapp/secure-webapp/constructs/logs"
)

// callerID is the construct ID of a stack's caller, at the stack's root.
const callerID = "SdkCalls"

// Props are the inputs of New. All are required unless marked optional.
type Props struct {
	// Call is the SDK call, made on create and on update.
	Call *customresources.AwsSdkCall
	// Statements are what the call needs; they join the caller's policy.
	Statements []awsiam.PolicyStatement
	// Wildcards says why a statement's resource ends in or is a wildcard
	// (for cdk-nag's AwsSolutions-IAM5); optional, "" when none is.
	Wildcards string
	// LogRetentionDays is how long the caller's function logs are kept; the
	// first call of the stack sets it.
	LogRetentionDays int
}

// caller is a stack's one function role, policy and log group for SDK
// calls.
type caller struct {
	role   awsiam.Role
	policy awsiam.ManagedPolicy
	logs   awslogs.ILogGroup
	// first says this call made the caller, and so CDK's function.
	first bool
}

// New makes one SDK call at deployment through the stack's caller.
func New(scope constructs.Construct, id string, props *Props) customresources.AwsCustomResource {
	stack := awscdk.Stack_Of(scope)
	cl := callerOf(stack, props.LogRetentionDays)
	cl.policy.AddStatements(props.Statements...)
	if props.Wildcards != "" {
		compliance.Suppress(cl.policy.Node().DefaultChild(), props.Wildcards, "AwsSolutions-IAM5")
	}
	r := customresources.NewAwsCustomResource(scope, jsii.String(id), &customresources.AwsCustomResourceProps{
		OnCreate:            props.Call,
		OnUpdate:            props.Call,
		Role:                cl.role,
		LogGroup:            cl.logs,
		InstallLatestAwsSdk: jsii.Bool(false),
	})
	r.Node().AddDependency(cl.policy)
	if cl.first { // CDK made the stack's function with this first call
		compliance.SuppressAwsCustomResourceFunction(stack, "the function makes the AWS SDK calls of the stack at deployment (constructs/sdkcall)")
	}
	return r
}

// callerOf returns the stack's caller, made by its first call; later calls
// find it in the construct tree.
func callerOf(stack awscdk.Stack, retentionDays int) caller {
	if c := stack.Node().TryFindChild(jsii.String(callerID)); c != nil {
		child := func(id string) constructs.IConstruct { return c.Node().FindChild(jsii.String(id)) }
		return caller{role: child("Role").(awsiam.Role), policy: child("Policy").(awsiam.ManagedPolicy), logs: child("LogGroup").(awslogs.LogGroup)}
	}
	c := constructs.NewConstruct(stack, jsii.String(callerID))
	name := logs.StackUnique(c, "/"+*stack.StackName()+"/sdk-calls")
	key := logs.NewKey(c, "LogKey", "Encrypts the logs of the function that makes AWS SDK calls at deployment of stack "+*stack.StackName(), name)
	role := awsiam.NewRole(c, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("Makes the AWS SDK calls of stack " + *stack.StackName() + " at deployment"),
	})
	group := logs.NewGroup(c, "LogGroup", name, key, retentionDays)
	policy := awsiam.NewManagedPolicy(c, jsii.String("Policy"), &awsiam.ManagedPolicyProps{
		Description: jsii.String("The only permissions of the function that makes the AWS SDK calls of stack " + *stack.StackName()),
		Roles:       &[]awsiam.IRole{role},
		Statements: &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("WriteItsLogs"),
			Actions:   jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents"),
			Resources: &[]*string{group.LogGroupArn()},
		})},
	})
	return caller{role: role, policy: policy, logs: group, first: true}
}

// ClaimLogGroup makes sure that the log group name, which a service creates
// for itself when it first logs (the function that a CloudFormation
// transform makes, say), exists encrypted with key and kept for
// retentionDays. Three idempotent calls create it (or find it), associate
// the key and set the retention. The group is not a CloudFormation
// resource: it stays when the stack is deleted, and the next instance of
// the stack finds it and claims it again, so its fixed name never collides.
// It returns what is done once the group is ready.
func ClaimLogGroup(scope constructs.Construct, id, name string, key awskms.IKey, retentionDays int) constructs.IDependable {
	c := constructs.NewConstruct(scope, &id)
	group := logs.GroupARN(awscdk.Stack_Of(c), name)
	done := constructs.NewDependencyGroup()
	var previous constructs.IDependable
	for _, call := range []struct {
		id, action, ignore string
		params             map[string]any
	}{
		{"Create", "createLogGroup", "ResourceAlreadyExistsException", map[string]any{"logGroupName": name, "kmsKeyId": *key.KeyArn()}},
		{"Encrypt", "associateKmsKey", "", map[string]any{"logGroupName": name, "kmsKeyId": *key.KeyArn()}},
		{"Retain", "putRetentionPolicy", "", map[string]any{"logGroupName": name, "retentionInDays": retentionDays}},
	} {
		sdk := &customresources.AwsSdkCall{
			Service:            jsii.String("CloudWatchLogs"),
			Action:             jsii.String(call.action),
			Parameters:         call.params,
			PhysicalResourceId: customresources.PhysicalResourceId_Of(jsii.String(name + "#" + call.id)),
		}
		if call.ignore != "" {
			sdk.IgnoreErrorCodesMatching = jsii.String(call.ignore)
		}
		var statements []awsiam.PolicyStatement
		if previous == nil {
			statements = []awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:     jsii.String("Claim" + sid(id)),
				Actions: jsii.Strings("logs:CreateLogGroup", "logs:AssociateKmsKey", "logs:PutRetentionPolicy"),
				// CloudWatch Logs authorizes most log-group actions on the
				// group's ARN with ":*" (CloudWatch Logs API reference,
				// LogGroup arn), some on the bare ARN: both name this group.
				Resources: jsii.Strings(group, group+":*"),
			})}
		}
		r := New(c, call.id, &Props{
			Call: sdk, Statements: statements, LogRetentionDays: retentionDays,
			Wildcards: "the wildcards are the :* suffix of a log group's ARN, the form CloudWatch Logs authorizes log-group actions on (and the function's own log group)",
		})
		r.Node().AddDependency(key)
		if previous != nil {
			r.Node().AddDependency(previous) // create, then encrypt, then retain
		}
		previous = r
		done.Add(r)
	}
	return done
}

// sid turns a construct ID into a statement ID (letters and digits only).
func sid(id string) string {
	out := make([]rune, 0, len(id))
	for _, r := range id {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			out = append(out, r)
		}
	}
	return string(out)
}
