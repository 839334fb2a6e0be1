package emptybucket

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-webapp/secure-webapp/constructs/compliance"
	"github.com/secure-webapp/secure-webapp/constructs/emptybucket/handler"
	"github.com/secure-webapp/secure-webapp/constructs/logs"
	"github.com/secure-webapp/secure-webapp/controls"
)

// emptierID is the construct ID of a stack's emptier function, at the
// stack's root.
const emptierID = "EmptyOnRollback"

// Props are the inputs of New. All are required.
type Props struct {
	// Bucket is the bucket to empty when the create that made it rolls
	// back. Its policy (which admits the services that deliver into it)
	// must exist: it is created after the emptier, so deleted before it.
	Bucket awss3.Bucket
	// LogRetentionDays is how long the function's logs are kept; the
	// stack's first emptier sets it.
	LogRetentionDays int
}

// emptier is a stack's one function, role and policy that empty buckets.
type emptier struct {
	fn     awslambda.IFunction
	role   awsiam.IRole
	policy awsiam.ManagedPolicy
}

// New adds to scope the custom resource that empties props.Bucket when,
// and only when, the failed create that made it rolls back, and orders it
// between the bucket and the bucket's policy.
func New(scope constructs.Construct, id string, props *Props) awscdk.CustomResource {
	stack := awscdk.Stack_Of(scope)
	e := emptierOf(stack, props.LogRetentionDays)
	b := props.Bucket
	e.policy.AddStatements(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("Empty" + strings.Map(statementRune, *b.Node().Path())),
		// DeleteObjects needs s3:DeleteObject besides s3:DeleteObjectVersion
		// for versions (S3 API reference, DeleteObjects).
		Actions:   jsii.Strings("s3:ListBucketVersions", "s3:DeleteObject", "s3:DeleteObjectVersion"),
		Resources: &[]*string{b.BucketArn(), b.ArnForObjects(jsii.String("*"))},
	}))
	// As long as the bucket's policy exists, it forbids the function the
	// deletions its role allows: only the rollback, which deletes the policy
	// before the emptier, lets it empty the bucket. Someone who could change
	// the function's code still could not delete through its role.
	b.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("OnlyARollbackEmptiesIt"),
		Effect:     awsiam.Effect_DENY,
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings("s3:DeleteObject", "s3:DeleteObjectVersion"),
		Resources:  &[]*string{b.ArnForObjects(jsii.String("*"))},
		Conditions: &map[string]any{"ArnEquals": map[string]any{"aws:PrincipalArn": e.role.RoleArn()}},
	}))
	cr := awscdk.NewCustomResource(scope, jsii.String(id), &awscdk.CustomResourceProps{
		ServiceToken: e.fn.FunctionArn(),
		ResourceType: jsii.String(controls.EmptyOnRollbackType),
		// The function answers within its own timeout; without a service
		// timeout, an answer lost on the way would hold the rollback for
		// an hour.
		ServiceTimeout: awscdk.Duration_Minutes(jsii.Number(16)),
		Properties:     &map[string]any{"BucketName": b.BucketName()},
	})
	// Its permissions exist before it and until it has answered a delete.
	cr.Node().AddDependency(e.policy)
	if b.Policy() == nil {
		panic(fmt.Sprintf("emptybucket: %s has no bucket policy to order after the emptier", *b.Node().Path())) // a construct of this app's
	}
	// The policy admits the services that deliver: created after the
	// emptier, it is deleted before it, so that nothing can deliver once
	// the bucket is empty and CloudFormation deletes it.
	b.Policy().Node().AddDependency(cr)
	return cr
}

// emptierOf returns the stack's emptier, made by its first bucket; later
// buckets find it in the construct tree.
func emptierOf(stack awscdk.Stack, retentionDays int) emptier {
	if c := stack.Node().TryFindChild(jsii.String(emptierID)); c != nil {
		child := func(id string) constructs.IConstruct { return c.Node().FindChild(jsii.String(id)) }
		return emptier{fn: child("Function").(awslambda.IFunction), role: child("Role").(awsiam.IRole), policy: child("Policy").(awsiam.ManagedPolicy)}
	}
	c := constructs.NewConstruct(stack, jsii.String(emptierID))
	name := logs.StackUnique(c, "/"+*stack.StackName()+"/empty-on-rollback")
	key := logs.NewKey(c, "LogKey", "Encrypts the logs of the function that empties the delivery buckets of stack "+*stack.StackName()+" when its first create rolls back", name)
	group := logs.NewGroup(c, "LogGroup", name, key, retentionDays)
	role := awsiam.NewRole(c, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("Empties the delivery buckets of stack " + *stack.StackName() + " when its first create rolls back"),
	})
	policy := awsiam.NewManagedPolicy(c, jsii.String("Policy"), &awsiam.ManagedPolicyProps{
		Description: jsii.String("The only permissions of the function that empties the delivery buckets of stack " + *stack.StackName() + " when its first create rolls back"),
		Roles:       &[]awsiam.IRole{role},
		Statements: &[]awsiam.PolicyStatement{
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       jsii.String("WriteItsLogs"),
				Actions:   jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents"),
				Resources: &[]*string{group.LogGroupArn()},
			}),
			// The stack's status is what tells the rollback of a failed
			// create from every other deletion.
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       jsii.String("ReadItsStacksStatus"),
				Actions:   jsii.Strings("cloudformation:DescribeStacks"),
				Resources: &[]*string{stack.StackId()},
			}),
		},
	})
	compliance.Suppress(policy.Node().DefaultChild(), "the wildcards are the objects of the stack's own delivery buckets, which the function deletes only in the rollback of the stack's failed first create (ROLLBACK_IN_PROGRESS, which it reads from CloudFormation), and the :* suffix of its own log group",
		"AwsSolutions-IAM5")
	fn := awslambda.NewFunction(c, jsii.String("Function"), &awslambda.FunctionProps{
		Description:  jsii.String("Empties a delivery bucket of this stack when its first create rolls back, so that CloudFormation can delete it (custom resource)"),
		Runtime:      awslambda.Runtime_NODEJS_24_X(),
		Architecture: awslambda.Architecture_ARM_64(),
		Handler:      jsii.String("index.handler"),
		Code:         awslambda.Code_FromInline(jsii.String(handler.Inline())),
		Role:         role,
		Timeout:      awscdk.Duration_Minutes(jsii.Number(15)),
		MemorySize:   jsii.Number(256),
		LogGroup:     group,
	})
	fn.Node().AddDependency(policy)
	compliance.Suppress(fn, "CloudFormation invokes it once per change of one of its custom resources, and the handler answers CloudFormation with any failure itself: a dead-letter queue would hold nothing to act on, and reserved concurrency would fail in new accounts, whose whole concurrency quota is Lambda's unreserved minimum; it reaches only the S3 and CloudFormation APIs, from outside the VPC, in stacks that have no VPC or whose App subnets may have no way out",
		"NIST.800.53.R5-LambdaInsideVPC", "HIPAA.Security-LambdaInsideVPC", "PCI.DSS.321-LambdaInsideVPC",
		"NIST.800.53.R5-LambdaConcurrency", "HIPAA.Security-LambdaConcurrency", "NIST.800.53.R5-LambdaDLQ", "HIPAA.Security-LambdaDLQ")
	return emptier{fn: fn, role: role, policy: policy}
}

// statementRune keeps the letters and digits of a construct path, the
// characters a statement ID may have.
func statementRune(r rune) rune {
	if unicode.IsLetter(r) || unicode.IsDigit(r) {
		return r
	}
	return -1
}
